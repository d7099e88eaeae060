"""Label-free accuracy estimation on Elec2, through the real broker.

Replays Elec2 (45,312 half-hourly rows, class UP/DOWN) with a Hoeffding tree
trained on its first rows, one row per 30 minutes of event time and labels
delayed by an exponential time (mean ``--label-delay-days``) in event time. The
join and concept workers run as processes (``driftline worker join|concept``);
the concept worker estimates each week's accuracy from the calibrated confidence
of its predictions when the week closes and compares it with the realised
accuracy once the week's labels are in. Both come back on a windows topic.

    .venv/bin/python benchmarks/label_free_elec2.py

Prints one row per window (estimate at close, raw mean confidence, realised
accuracy, share of labels already in at close) and, as its last line, one JSON
object with the mean absolute error between estimated and realised accuracy,
and the same for the raw mean confidence (no calibration).

What to expect: the replay's Hoeffding tree gives 0.95 to 1.0 confidence to
almost every prediction, and on Elec2 a week's mean confidence says nothing of
its accuracy (correlation about -0.2). Calibration removes the bias (raw MAE
about 0.30), so the estimate follows the accuracy level, but not the swings from
week to week that the confidence does not show: the MAE (about 0.08) is that of
the best constant chosen in hindsight. Run paced (``--rate``) so labels reach
the concept worker in event-time order; unpaced, predictions race ahead of the
join and windows close before any calibration label arrived.
"""

from __future__ import annotations

import argparse
import json
import socket
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import yaml
from confluent_kafka.admin import NewTopic
from prometheus_client.parser import text_string_to_metric_families

from stream_workers.kafka.clients import make_admin
from stream_workers.kafka.tail import read_committed
from stream_workers.replay.pipeline import WorkerProcesses, connect, wait_until
from stream_workers.replay.simulator import ReplayPlan, replay
from stream_workers.replay.sources import open_source

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
ELEC2 = DATA / "elec2_electricity.csv.gz"
HALF_HOUR_MS = 1_800_000
DAY_MS = 86_400_000
WINDOWS_TOPIC = "estimation-windows"
MODEL = "elec2"


def free_port_pair() -> int:
    """A port p such that p and p + 1 were free a moment ago (two HTTP servers)."""
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
                return port
    raise RuntimeError("no two adjacent free ports on 127.0.0.1")


def write_config(path: Path, window_days: float, threshold: float) -> None:
    estimation = {
        "enabled": True,
        "window_ms": int(window_days * DAY_MS),
        "threshold": threshold,
        "windows_topic": WINDOWS_TOPIC,
    }
    config = {"models": {MODEL: {"concept": {"estimation": estimation}}}}
    path.write_text(yaml.safe_dump(config))


def series(pipeline: WorkerProcesses, worker: str, metric: str, **labels: str) -> float:
    """One labelled sample of a worker's metric (0 when absent)."""
    return sum(
        value
        for name, found, value in pipeline_samples(pipeline, worker)
        if name == metric and all(found.get(k) == v for k, v in labels.items())
    )


def pipeline_samples(
    pipeline: WorkerProcesses, worker: str
) -> list[tuple[str, dict[str, str], float]]:
    url = f"http://127.0.0.1:{pipeline.ports[worker]}/metrics"
    with urllib.request.urlopen(url, timeout=2) as response:
        text = response.read().decode()
    return [
        (s.name, s.labels, s.value)
        for family in text_string_to_metric_families(text)
        for s in family.samples
    ]


def caught_up(pipeline: WorkerProcesses, predictions: int, labels: int) -> bool:
    """The join read everything and the concept worker read what the join wrote."""
    topics = pipeline.topics
    joined = series(pipeline, "join", "driftline_records_consumed_total")
    outcomes = series(pipeline, "join", "driftline_join_outcomes_total")
    read = {
        name: series(
            pipeline,
            "concept",
            "driftline_records_consumed_total",
            topic=topics.name(name),
        )
        for name in ("predictions", "outcomes")
    }
    return (
        joined >= predictions + labels
        and read["predictions"] >= predictions
        and read["outcomes"] >= outcomes
    )


def table(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per settled window, joined with its estimated record."""
    estimated = {r["window_start_ms"]: r for r in records if r["stage"] == "estimated"}
    rows = []
    for settled in sorted(
        (r for r in records if r["stage"] == "settled"),
        key=lambda r: r["window_start_ms"],
    ):
        at_close = estimated.get(settled["window_start_ms"])
        if at_close is None:
            continue
        rows.append(
            {
                "start": settled["window_start_ms"],
                "predictions": at_close["predictions"],
                "confidence": at_close["confidence_mean"],
                "estimated": at_close["estimated"],
                "realised": settled["realised"],
                "labelled_at_close": at_close["labelled_at_close"]
                / at_close["predictions"],
                "calibration_labels": at_close["calibration_labels"],
            }
        )
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    print(
        f"{'window':>10} {'preds':>5} {'conf':>6} {'estim':>6} {'real':>6} "
        f"{'err':>7} {'labels_in':>9} {'calib_n':>7}"
    )
    for r in rows:
        day = datetime.fromtimestamp(r["start"] / 1000, UTC).strftime("%Y-%m-%d")
        print(
            f"{day:>10} {r['predictions']:>5} {r['confidence']:6.3f} "
            f"{r['estimated']:6.3f} {r['realised']:6.3f} "
            f"{r['estimated'] - r['realised']:+7.3f} "
            f"{r['labelled_at_close']:9.0%} {r['calibration_labels']:>7}"
        )


def mae(rows: list[dict[str, Any]], key: str) -> float:
    return sum(abs(r[key] - r["realised"]) for r in rows) / len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window-days", type=float, default=7.0)
    parser.add_argument("--label-delay-days", type=float, default=7.0)
    parser.add_argument("--threshold", type=float, default=0.6)
    parser.add_argument("--train-rows", type=int, default=2_000)
    parser.add_argument("--limit", type=int, default=None, help="rows to serve")
    parser.add_argument(
        "--rate",
        type=float,
        default=300.0,
        help="predictions/s: paced so that the join keeps up and labels reach the "
        "concept worker in event-time order, as they would in production",
    )
    args = parser.parse_args()

    started = time.monotonic()
    kafka = connect()
    run = f"lf-elec2-{int(time.time())}"
    plan = ReplayPlan(
        model_id=MODEL,
        train_rows=args.train_rows,
        limit=args.limit,
        rate=args.rate,
        interval_ms=HALF_HOUR_MS,
        label_delay_s=args.label_delay_days * DAY_MS / 1000,
        progress=False,
    )
    with tempfile.TemporaryDirectory(prefix="driftline-lf-") as work:
        config = Path(work) / "driftline.yaml"
        write_config(config, args.window_days, args.threshold)
        env = {
            "DRIFTLINE_CONFIG_FILE": str(config),
            "DRIFTLINE_LOG_LEVEL": "WARNING",
            # Labels come weeks late in event time: keep predictions waiting.
            "DRIFTLINE_JOIN_PREDICTION_TTL_S": str(120 * 86_400),
            "DRIFTLINE_JOIN_LABEL_TTL_S": str(120 * 86_400),
        }
        pipeline = WorkerProcesses(
            kafka,
            ("join", "concept"),
            run=run,
            workdir=Path(work),
            base_port=free_port_pair(),
            env=env,
        )
        try:
            with pipeline:
                admin = make_admin(kafka)
                name = pipeline.topics.prefix + WINDOWS_TOPIC
                admin.create_topics([NewTopic(name, 1, 1)])[name].result(30)
                stats = replay(
                    open_source(str(ELEC2)), plan, kafka=kafka, topics=pipeline.topics
                )
                wait_until(
                    lambda: caught_up(pipeline, stats.predictions, stats.labels),
                    300,
                    "the join and concept workers to catch up",
                )
                records = [
                    orjson.loads(m.value())
                    for m in read_committed(kafka, name, quiet_s=2.0)
                ]
        finally:
            admin = make_admin(kafka)
            mine = [
                t for t in admin.list_topics(timeout=10).topics if t.startswith(run)
            ]
            if mine:
                admin.delete_topics(mine, operation_timeout=30)

    rows = table(records)
    print_table(rows)
    alerts = sum(
        1
        for r in records
        if r["stage"] == "estimated" and r["estimated"] < args.threshold
    )
    result = {
        "benchmark": "label_free_elec2",
        "windows": len(rows),
        "mae": round(mae(rows, "estimated"), 4) if rows else None,
        "mae_uncalibrated": round(mae(rows, "confidence"), 4) if rows else None,
        "mean_realised": round(sum(r["realised"] for r in rows) / len(rows), 4)
        if rows
        else None,
        "mean_labelled_at_close": round(
            sum(r["labelled_at_close"] for r in rows) / len(rows), 3
        )
        if rows
        else None,
        "windows_under_threshold": alerts,
        "window_days": args.window_days,
        "label_delay_days": args.label_delay_days,
        "predictions": stats.predictions,
        "labels": stats.labels,
        "seconds": round(time.monotonic() - started, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
