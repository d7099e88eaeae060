"""``driftline demo``: the main job end to end on a local broker.

Starts the local broker unless ``DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS`` names one,
creates a fresh set of topics under a per-run prefix, starts the join, concept and
retrain workers as separate processes, replays a synthetic stream with one abrupt
drift, prints alerts and retrain requests as they arrive, stops everything and
returns the summary.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from stream_workers.config.settings import KafkaSettings
from stream_workers.kafka.records import value_of
from stream_workers.kafka.tail import count_records, follow
from stream_workers.replay.pipeline import WorkerProcesses, connect, delete_topics
from stream_workers.replay.simulator import ReplayPlan, replay
from stream_workers.replay.sources import open_source

__all__ = ["DemoOptions", "format_alert", "format_request", "run_demo"]

WORKERS = ("join", "concept", "retrain")


@dataclass(frozen=True)
class DemoOptions:
    source: str = "sea"
    length: int = 20_000
    drift_at: int = 10_000
    train_rows: int = 2_000
    rate: float = 2_500.0
    base_port: int | None = None
    timeout_s: float = 150.0
    workdir: Path = Path(".driftline/demo")
    keep_topics: bool = False


def format_alert(
    alert: dict[str, Any], row_of: Callable[[int], int] | None = None
) -> str:
    """One readable line per alert; ``row_of`` maps event time to a stream row."""
    when = datetime.fromtimestamp(alert["detected_at_ms"] / 1000, UTC)
    where = f" row={row_of(alert['detected_at_ms'])}" if row_of else ""
    feature = f" feature={alert['feature']}" if alert.get("feature") else ""
    return (
        f"ALERT {alert['severity'].upper():8} {alert['kind']:11} "
        f"model={alert['model_id']}@{alert['model_version']} "
        f"detector={alert['detector']}{feature} "
        f"statistic={alert['statistic']:.4g} at={when:%Y-%m-%dT%H:%M:%SZ}{where} "
        f"id={alert['alert_id'][:12]}"
    )


def format_request(request: dict[str, Any]) -> str:
    """One readable line per retrain decision."""
    return (
        f"RETRAIN {request['status'].upper():9} model={request['model_id']} "
        f"rule={request['rule']} reason={request['reason']!r} "
        f"alerts={len(request.get('alert_ids', []))}"
    )


def run_demo(options: DemoOptions, print_line: Callable[[str], None]) -> dict[str, Any]:
    """Run the demo; return the summary (predictions, labels, ... seconds)."""
    started = time.monotonic()
    kafka = connect()
    plan = ReplayPlan(train_rows=options.train_rows, rate=options.rate, progress=False)

    def row_of(time_ms: int) -> int:
        return (time_ms - plan.start_time_ms) // plan.interval_ms

    pipeline = WorkerProcesses(
        kafka,
        WORKERS,
        run=f"demo{int(time.time())}",
        workdir=options.workdir,
        base_port=options.base_port,
        env={
            "DRIFTLINE_JOIN_PREDICTION_TTL_S": "600",
            "DRIFTLINE_JOIN_LABEL_TTL_S": "600",
        },
    )
    done = threading.Event()
    first_alert_row: list[int] = []

    def show_alert(alert: dict[str, Any]) -> str:
        first_alert_row.append(row_of(alert["detected_at_ms"]))
        return format_alert(alert, row_of)

    with pipeline:
        topics = pipeline.topics
        print_line(f"workers started ({', '.join(WORKERS)}); logs in {pipeline.logs}")
        printers = [
            threading.Thread(
                target=_print_topic,
                args=(kafka, topics.name(topic), fmt, print_line, done.is_set),
                daemon=True,
            )
            for topic, fmt in (
                ("alerts", show_alert),
                ("retrain_requests", format_request),
            )
        ]
        for thread in printers:
            thread.start()
        try:
            source = open_source(
                options.source, length=options.length, drift_at=options.drift_at
            )
            print_line(
                f"replaying {options.source}: {options.length} rows at "
                f"{options.rate:.0f}/s, model trained on the first "
                f"{options.train_rows}, drift injected at row {options.drift_at}"
            )
            stats = replay(source, plan, kafka=kafka, topics=topics)
            remaining = max(options.timeout_s - (time.monotonic() - started), 10)
            pipeline.settle(stats.predictions + stats.labels, remaining)
        finally:
            done.set()
            for thread in printers:
                thread.join(5)

    summary: dict[str, Any] = {
        "predictions": count_records(kafka, topics.name("predictions")),
        "labels": count_records(kafka, topics.name("labels")),
        "outcomes": count_records(kafka, topics.name("outcomes")),
        "alerts": count_records(kafka, topics.name("alerts")),
        "retrain_requests": count_records(kafka, topics.name("retrain_requests")),
        "drift_at_row": options.drift_at,
        "first_alert_row": min(first_alert_row) if first_alert_row else None,
        "bootstrap_servers": kafka.bootstrap_servers,
        "topic_prefix": None if not options.keep_topics else topics.prefix,
    }
    if not options.keep_topics:
        delete_topics(kafka, topics.prefix)
    summary["seconds"] = round(time.monotonic() - started, 1)
    return summary


def _print_topic(
    kafka: KafkaSettings,
    topic: str,
    fmt: Callable[[dict[str, Any]], str],
    print_line: Callable[[str], None],
    stop: Callable[[], bool],
) -> None:
    for message in follow(kafka, topic, stop=stop):
        print_line(fmt(orjson.loads(value_of(message))))
