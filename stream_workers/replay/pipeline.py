"""Worker processes for the demo and the end-to-end benchmarks.

Starts ``driftline worker NAME`` children on a fresh topic set, reads their
``/metrics`` to tell when each has consumed what the one before it produced, and
stops them with SIGTERM (SIGKILL after a grace period).
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from stream_workers.config.settings import KafkaSettings, TopicSettings
from stream_workers.errors import DriftlineError
from stream_workers.kafka.broker import LocalBroker
from stream_workers.kafka.clients import make_admin
from stream_workers.kafka.topics import ensure_topics

__all__ = [
    "WorkerProcesses",
    "connect",
    "delete_topics",
    "free_port_block",
    "metric_sum",
    "wait_until",
]


def free_port_block(size: int) -> int:
    """A base port with ``size`` consecutive free ports on 127.0.0.1."""
    for _ in range(100):
        base = random.randint(20_000, 40_000)
        sockets: list[socket.socket] = []
        try:
            for port in range(base, base + size):
                s = socket.socket()
                sockets.append(s)
                s.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
        return base
    raise DriftlineError("found no free block of ports on 127.0.0.1")


def connect() -> KafkaSettings:
    """The configured cluster, or the local broker (started if needed).

    A broker already answering on the local port (started from another checkout,
    say) is used as it is.
    """
    if "DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS" in os.environ:
        return KafkaSettings()
    broker = LocalBroker()
    if not broker.status().running and broker.answering():
        return KafkaSettings(bootstrap_servers=broker.bootstrap_servers)
    status = broker.start()
    return KafkaSettings(bootstrap_servers=status.bootstrap_servers)


def metric_sum(port: int, name: str) -> float:
    """Sum of a metric's samples on a worker's /metrics (-1 when unreachable)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
            text = r.read().decode()
    except OSError:
        return -1.0
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name):
            head, _, value = line.rpartition(" ")
            if head == name or head.startswith(name + "{"):
                total += float(value)
    return total


def delete_topics(kafka: KafkaSettings, prefix: str) -> int:
    """Delete every topic whose name starts with ``prefix``; return how many."""
    admin = make_admin(kafka)
    names = [t for t in admin.list_topics(timeout=10).topics if t.startswith(prefix)]
    if names:
        for future in admin.delete_topics(names, operation_timeout=30).values():
            future.result()
    return len(names)


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise DriftlineError(
                f"timed out after {timeout_s:.0f} s waiting for {what}"
            )
        time.sleep(0.5)


class WorkerProcesses:
    """Worker children on one topic set; a context manager that always stops them."""

    def __init__(
        self,
        kafka: KafkaSettings,
        names: tuple[str, ...],
        *,
        run: str,
        workdir: Path,
        base_port: int | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.kafka = kafka
        self.names = names
        self.topics = TopicSettings(prefix=f"{run}-")
        self.logs = workdir / run
        base = free_port_block(len(names)) if base_port is None else base_port
        self.ports = {name: base + i for i, name in enumerate(names)}
        self._env = {
            **os.environ,
            "DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
            "DRIFTLINE_TOPIC_PREFIX": self.topics.prefix,
            "DRIFTLINE_STATE_DIR": str(self.logs / "state"),
            "DRIFTLINE_POLL_TIMEOUT_S": "0.2",
            **(env or {}),
        }
        self._run = run
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def __enter__(self) -> WorkerProcesses:
        ensure_topics(make_admin(self.kafka), self.topics)
        self.logs.mkdir(parents=True, exist_ok=True)
        for name in self.names:
            self.start(name)
        wait_until(
            lambda: all(
                self.metric(n, "driftline_records_consumed_total") >= 0
                for n in self.names
            ),
            60,
            "the workers' HTTP endpoints",
        )
        return self

    def start(self, name: str) -> None:
        with open(self.logs / f"{name}.log", "ab") as log:
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", "stream_workers.cli", "worker", name],
                env={
                    **self._env,
                    "DRIFTLINE_INSTANCE_ID": f"{self._run}-{name}",
                    "DRIFTLINE_HTTP_PORT": str(self.ports[name]),
                },
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def metric(self, name: str, metric: str) -> float:
        return metric_sum(self.ports[name], metric)

    def alive(self) -> bool:
        return all(p.poll() is None for p in self.processes.values())

    def settle(self, sent: int, timeout_s: float) -> None:
        """Wait until the join consumed ``sent`` records and each later worker
        consumed what the one before it produced."""

        def check() -> bool:
            if not self.alive():
                dead = [n for n, p in self.processes.items() if p.poll() is not None]
                raise DriftlineError(f"worker(s) {dead} exited; see {self.logs}")
            if self.metric("join", "driftline_records_consumed_total") < sent:
                return False
            outcomes = self.metric("join", "driftline_join_outcomes_total")
            ok = self.metric("concept", "driftline_records_consumed_total") >= outcomes
            if "retrain" in self.names and ok:
                alerts = self.metric("concept", "driftline_concept_alerts_total")
                ok = (
                    self.metric("retrain", "driftline_records_consumed_total") >= alerts
                )
            return ok

        wait_until(check, timeout_s, "the workers to catch up")
        time.sleep(1.0)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
