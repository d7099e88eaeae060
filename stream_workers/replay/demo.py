"""``driftline demo``: the main job end to end on a local broker.

Starts the local broker unless ``DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS`` names one,
creates a fresh set of topics under a per-run prefix, starts the join, concept and
retrain workers as separate processes, replays a synthetic stream with one abrupt
drift, prints alerts and retrain requests as they arrive, stops everything and
returns the summary.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from stream_workers.config.settings import KafkaSettings, TopicSettings
from stream_workers.errors import DriftlineError
from stream_workers.kafka.broker import LocalBroker
from stream_workers.kafka.clients import make_admin
from stream_workers.kafka.tail import count_records, follow
from stream_workers.kafka.topics import ensure_topics
from stream_workers.replay.simulator import ReplayPlan, replay
from stream_workers.replay.sources import open_source

__all__ = ["DemoOptions", "format_alert", "run_demo"]

WORKERS = ("join", "concept", "retrain")


@dataclass(frozen=True)
class DemoOptions:
    source: str = "sea"
    length: int = 20_000
    drift_at: int = 10_000
    train_rows: int = 2_000
    base_port: int = 9400
    timeout_s: float = 150.0
    workdir: Path = Path(".driftline/demo")


def format_alert(alert: dict[str, Any]) -> str:
    """One readable line per alert."""
    details = alert.get("details", {})
    where = f" row {details['request_id'].rsplit('-', 1)[-1]}" if details else ""
    feature = f" feature={alert['feature']}" if alert.get("feature") else ""
    return (
        f"ALERT {alert['severity'].upper():8} {alert['kind']:11} "
        f"model={alert['model_id']}@{alert['model_version']} "
        f"detector={alert['detector']}{feature} "
        f"statistic={alert['statistic']:.4g}{where} id={alert['alert_id'][:12]}"
    )


def _format_request(request: dict[str, Any]) -> str:
    return (
        f"RETRAIN {request['status'].upper():9} model={request['model_id']} "
        f"rule={request['rule']} reason={request['reason']!r} "
        f"alerts={len(request.get('alert_ids', []))}"
    )


def _metric(port: int, name: str) -> float:
    """Sum of a metric's samples on a worker's /metrics endpoint."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
            text = r.read().decode()
    except OSError:
        return -1.0
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and not line.startswith("#"):
            head, _, value = line.rpartition(" ")
            if head == name or head.startswith(name + "{"):
                total += float(value)
    return total


def _wait(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise DriftlineError(f"demo timed out waiting for {what}")
        time.sleep(0.5)


def run_demo(options: DemoOptions, print_line: Callable[[str], None]) -> dict[str, Any]:
    """Run the demo; return the summary (predictions, labels, ... seconds)."""
    started = time.monotonic()
    if "DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS" in os.environ:
        kafka = KafkaSettings()
    else:
        status = LocalBroker().start()
        kafka = KafkaSettings(bootstrap_servers=status.bootstrap_servers)
    run = f"demo{int(time.time())}"
    topics = TopicSettings(prefix=f"{run}-")
    ensure_topics(make_admin(kafka), topics)
    logs = options.workdir / run
    logs.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
        "DRIFTLINE_TOPIC_PREFIX": topics.prefix,
        "DRIFTLINE_STATE_DIR": str(logs / "state"),
        "DRIFTLINE_POLL_TIMEOUT_S": "0.2",
        "DRIFTLINE_JOIN_PREDICTION_TTL_S": "600",
        "DRIFTLINE_JOIN_LABEL_TTL_S": "600",
    }
    ports = {name: options.base_port + i for i, name in enumerate(WORKERS)}
    processes = {}
    for name in WORKERS:
        log = open(logs / f"{name}.log", "wb")  # noqa: SIM115 - closed with the child
        processes[name] = subprocess.Popen(
            [sys.executable, "-m", "stream_workers.cli.main", "worker", name],
            env={
                **env,
                "DRIFTLINE_INSTANCE_ID": f"{run}-{name}",
                "DRIFTLINE_HTTP_PORT": str(ports[name]),
            },
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()
    print_line(f"workers started ({', '.join(WORKERS)}); logs in {logs}")

    done = threading.Event()
    printers = [
        threading.Thread(
            target=_print_topic,
            args=(kafka, topics.name(topic), fmt, print_line, done.is_set),
            daemon=True,
        )
        for topic, fmt in (
            ("alerts", format_alert),
            ("retrain_requests", _format_request),
        )
    ]
    for thread in printers:
        thread.start()
    try:
        _wait(
            lambda: all(
                _metric(p, "driftline_records_consumed_total") >= 0
                for p in ports.values()
            ),
            60,
            "the workers' endpoints",
        )
        source = open_source(
            options.source, length=options.length, drift_at=options.drift_at
        )
        print_line(
            f"replaying {options.source}: {options.length} rows, model trained on the "
            f"first {options.train_rows}, drift at row {options.drift_at}"
        )
        stats = replay(
            source,
            ReplayPlan(train_rows=options.train_rows, progress=False),
            kafka=kafka,
            topics=topics,
        )
        sent = stats.predictions + stats.labels
        remaining = max(options.timeout_s - (time.monotonic() - started), 10)
        _wait(
            lambda: _metric(ports["join"], "driftline_records_consumed_total") >= sent,
            remaining,
            "the join worker",
        )
        _settle(ports, remaining)
    finally:
        done.set()
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for name, process in processes.items():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                print_line(f"worker {name} did not stop in 30 s and was killed")
        for thread in printers:
            thread.join(5)

    return {
        "predictions": count_records(kafka, topics.name("predictions")),
        "labels": count_records(kafka, topics.name("labels")),
        "outcomes": count_records(kafka, topics.name("outcomes")),
        "alerts": count_records(kafka, topics.name("alerts")),
        "retrain_requests": count_records(kafka, topics.name("retrain_requests")),
        "drift_at_row": options.drift_at,
        "topic_prefix": topics.prefix,
        "seconds": round(time.monotonic() - started, 1),
    }


def _settle(ports: dict[str, int], timeout_s: float) -> None:
    """Wait until each worker has consumed what the one before it produced."""

    def caught_up() -> bool:
        outcomes = _metric(ports["join"], "driftline_join_outcomes_total")
        alerts = _metric(ports["concept"], "driftline_concept_alerts_total")
        concept_in = _metric(ports["concept"], "driftline_records_consumed_total")
        retrain_in = _metric(ports["retrain"], "driftline_records_consumed_total")
        return concept_in >= outcomes > 0 and retrain_in >= alerts

    _wait(caught_up, timeout_s, "the concept and retrain workers")
    time.sleep(1.0)


def _print_topic(
    kafka: KafkaSettings,
    topic: str,
    fmt: Callable[[dict[str, Any]], str],
    print_line: Callable[[str], None],
    stop: Callable[[], bool],
) -> None:
    for message in follow(kafka, topic, stop=stop):
        print_line(fmt(orjson.loads(message.value())))
