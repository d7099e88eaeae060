"""The local development broker: real Apache Kafka from Maven-resolved jars.

``driftline kafka start`` resolves the broker's jars once into a cache folder
outside the repository (``~/.cache/driftline``), formats KRaft storage in a
project-local data folder, and starts one combined broker+controller node bound to
127.0.0.1. It is for development, tests and the demo; production points
``DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS`` at a real cluster instead.
"""

from __future__ import annotations

import base64
import logging
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from confluent_kafka.admin import AdminClient

from stream_workers.config.settings import LocalBrokerSettings
from stream_workers.errors import LocalBrokerError

__all__ = ["KAFKA_VERSION", "BrokerStatus", "LocalBroker"]

logger = logging.getLogger(__name__)

KAFKA_VERSION = "4.1.1"
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

_LOG4J2 = """\
Configuration:
  Appenders:
    RollingFile:
      name: FILE
      fileName: "{log_dir}/server.log"
      filePattern: "{log_dir}/server.log.%i"
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
      SizeBasedTriggeringPolicy:
        size: 20MB
      DefaultRolloverStrategy:
        max: 3
  Loggers:
    Root:
      level: INFO
      AppenderRef:
        - ref: FILE
    Logger:
      - name: kafka.log.LogCleaner
        level: WARN
      - name: org.apache.kafka.storage.internals.log
        level: WARN
"""


@dataclass(frozen=True)
class BrokerStatus:
    """What ``driftline kafka status`` reports."""

    running: bool
    answering: bool
    pid: int | None
    bootstrap_servers: str
    log_file: Path


class LocalBroker:
    """Resolve, format, start, probe and stop one local KRaft node."""

    def __init__(self, settings: LocalBrokerSettings | None = None) -> None:
        self.settings = settings or LocalBrokerSettings()
        self.data_dir = self.settings.data_dir.resolve()
        self.libs_dir = self.settings.cache_dir / f"kafka-{KAFKA_VERSION}" / "libs"

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.settings.port}"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "logs" / "server.log"

    @property
    def _pid_file(self) -> Path:
        return self.data_dir / "broker.pid"

    def answering(self) -> bool:
        """Whether some Kafka broker (ours or not) answers on the configured port."""
        return _answers(self.bootstrap_servers, timeout_s=3.0)

    def start(self) -> BrokerStatus:
        """Start the broker unless it runs; return once it answers metadata requests."""
        current = self.status()
        if current.running and current.answering:
            return current
        if current.running:
            return self._wait_until_answering(self._read_pid())
        _require_tools()
        ports = (self.settings.port, self.settings.controller_port)
        busy = [port for port in ports if _port_taken(port)]
        if busy:
            raise LocalBrokerError(
                f"port(s) {busy} on 127.0.0.1 are taken by another process; stop "
                "it, or choose others with DRIFTLINE_LOCAL_KAFKA_PORT and "
                "DRIFTLINE_LOCAL_KAFKA_CONTROLLER_PORT, or point at a running "
                "cluster with DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS"
            )
        self._resolve_jars()
        self._write_config()
        self._format_storage()
        pid = self._launch()
        return self._wait_until_answering(pid)

    def stop(self, timeout_s: float = 30.0) -> bool:
        """Stop the broker cleanly (SIGTERM, then SIGKILL); False if none ran."""
        pid = self._read_pid()
        if pid is None or not _is_our_broker(pid):
            self._pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.2)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
        self._pid_file.unlink(missing_ok=True)
        return True

    def status(self) -> BrokerStatus:
        """Whether our process runs and whether the listener answers."""
        pid = self._read_pid()
        running = pid is not None and _is_our_broker(pid)
        answering = running and _answers(self.bootstrap_servers, timeout_s=3.0)
        return BrokerStatus(
            running=running,
            answering=answering,
            pid=pid if running else None,
            bootstrap_servers=self.bootstrap_servers,
            log_file=self.log_file,
        )

    def _resolve_jars(self) -> None:
        if self.libs_dir.is_dir() and any(self.libs_dir.glob("kafka_2.13-*.jar")):
            return
        self.libs_dir.mkdir(parents=True, exist_ok=True)
        pom = resources.files("stream_workers.kafka") / "resources" / "pom.xml"
        with resources.as_file(pom) as pom_path:
            command = [
                "mvn",
                "-q",
                "-B",
                "-f",
                str(pom_path),
                f"{DEPENDENCY_PLUGIN}:copy-dependencies",
                f"-DoutputDirectory={self.libs_dir}",
                "-DincludeScope=runtime",
            ]
            logger.info("resolving kafka jars", extra={"libs_dir": str(self.libs_dir)})
            done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            shutil.rmtree(self.libs_dir, ignore_errors=True)
            tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
            raise LocalBrokerError(
                "Maven could not resolve the Kafka jars; check that Maven Central is "
                "reachable. Maven said: " + " | ".join(tail)
            )

    def _write_config(self) -> None:
        s = self.settings
        logs = self.data_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        properties = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.bootstrap.servers": f"127.0.0.1:{s.controller_port}",
            "listeners": (
                f"PLAINTEXT://127.0.0.1:{s.port},CONTROLLER://127.0.0.1:{s.controller_port}"
            ),
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{s.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": (
                "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
            ),
            "log.dirs": str(self.data_dir / "data"),
            "num.partitions": "1",
            "auto.create.topics.enable": "false",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "8",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "transaction.state.log.num.partitions": "8",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            "group.consumer.heartbeat.interval.ms": "1000",
            "group.consumer.min.heartbeat.interval.ms": "500",
            "group.consumer.session.timeout.ms": "10000",
            "group.consumer.min.session.timeout.ms": "6000",
            "log.cleaner.dedupe.buffer.size": str(8 * 1024 * 1024),
            "log.cleaner.threads": "1",
            "num.network.threads": "2",
            "num.io.threads": "4",
            "transaction.abort.timed.out.transaction.cleanup.interval.ms": "5000",
            "delete.topic.enable": "true",
        }
        text = "".join(f"{k}={v}\n" for k, v in properties.items())
        (self.data_dir / "server.properties").write_text(text)
        (self.data_dir / "log4j2.yaml").write_text(_LOG4J2.format(log_dir=logs))

    def _format_storage(self) -> None:
        if (self.data_dir / "data" / "meta.properties").exists():
            return
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        command = [
            "java",
            "-cp",
            f"{self.libs_dir}/*",
            f"-Dlog4j2.configurationFile={self.data_dir / 'log4j2.yaml'}",
            "kafka.tools.StorageTool",
            "format",
            "--standalone",
            "-t",
            cluster_id,
            "-c",
            str(self.data_dir / "server.properties"),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise LocalBrokerError(
                f"formatting KRaft storage in {self.data_dir} failed: "
                f"{done.stderr.strip()[-500:]}; delete the folder to start afresh"
            )

    def _launch(self) -> int:
        heap = f"{self.settings.heap_mb}m"
        command = [
            "java",
            f"-Xms{heap}",
            f"-Xmx{heap}",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.data_dir / 'log4j2.yaml'}",
            "-cp",
            f"{self.libs_dir}/*",
            "kafka.Kafka",
            str(self.data_dir / "server.properties"),
        ]
        console = open(self.data_dir / "logs" / "console.log", "ab")  # noqa: SIM115
        with console:
            process = subprocess.Popen(
                command,
                stdout=console,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self._pid_file.write_text(str(process.pid))
        return process.pid

    def _wait_until_answering(self, pid: int | None) -> BrokerStatus:
        deadline = time.monotonic() + self.settings.start_timeout_s
        while time.monotonic() < deadline:
            if pid is None or not _alive(pid):
                raise LocalBrokerError(
                    f"the Kafka broker exited during start-up; see {self.log_file} "
                    f"and {self.data_dir / 'logs' / 'console.log'}"
                )
            if _answers(self.bootstrap_servers, timeout_s=2.0):
                return self.status()
            time.sleep(0.3)
        raise LocalBrokerError(
            f"the Kafka broker did not answer on {self.bootstrap_servers} within "
            f"{self.settings.start_timeout_s:.0f} s; see {self.log_file}"
        )

    def _read_pid(self) -> int | None:
        try:
            return int(self._pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None


def _require_tools() -> None:
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing:
        raise LocalBrokerError(
            f"{' and '.join(missing)} not found on PATH: install a Java 17+ runtime "
            "and Apache Maven (Debian: apt-get install openjdk-17-jre-headless maven), "
            "or set DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS to an existing cluster"
        )


def _port_taken(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except (FileNotFoundError, IndexError):
        return True
    return state != "Z"


def _is_our_broker(pid: int) -> bool:
    if not _alive(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return False
    return b"kafka.Kafka" in cmdline


def _answers(bootstrap: str, *, timeout_s: float) -> bool:
    admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 0})
    try:
        admin.list_topics(timeout=timeout_s)
    except Exception:  # noqa: BLE001 - any failure means "not answering yet"
        return False
    return True
