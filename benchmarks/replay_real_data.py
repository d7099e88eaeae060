"""Real data through the real broker and the join, concept and retrain workers.

Replays a shared data set (SEA by default; INSECTS with ``--source insects``) with a
model trained on its first rows, and reports for each known drift the first alert
after it (delay in rows) and how many alerts fired elsewhere. An alert is placed at
its stream time (``detected_at_ms``), converted back to a row index.

    .venv/bin/python benchmarks/replay_real_data.py --source sea
    .venv/bin/python benchmarks/replay_real_data.py --source insects

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import orjson

from stream_workers.kafka.tail import count_records, read_committed
from stream_workers.replay.pipeline import WorkerProcesses, connect
from stream_workers.replay.simulator import ReplayPlan, replay
from stream_workers.replay.sources import open_source

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SOURCES = {
    "sea": (DATA / "sea_street_kim_50k.csv.gz", 2_000),
    "insects": (DATA / "insects_gradual_balanced.csv.gz", 2_000),
    "sine1": (DATA / "tornado_sine1_w_50_n_0.1_101.arff.gz", 2_000),
    "mixed": (DATA / "tornado_mixed_w_50_n_0.1_101.arff.gz", 2_000),
}


def score(
    rows: list[int], drifts: list[int], start: int, end: int
) -> dict[str, object]:
    """First alert after each drift (before the next one) and alerts elsewhere."""
    bounds = [*drifts, end]
    per_drift = []
    matched: set[int] = set()
    for drift, following in zip(drifts, bounds[1:], strict=True):
        after = [r for r in rows if drift <= r < following]
        first = min(after) if after else None
        per_drift.append(
            {
                "drift": drift,
                "first_alert": first,
                "delay": None if first is None else first - drift,
                "alerts": len(after),
            }
        )
        matched.update(after)
    before = [r for r in rows if start <= r < (drifts[0] if drifts else end)]
    return {
        "per_drift": per_drift,
        "alerts_before_first_drift": len(before),
        "alerts_total": len(rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=sorted(SOURCES), default="sea")
    parser.add_argument("--rate", type=float, default=3000.0, help="predictions/s")
    parser.add_argument("--workers", default="join,concept,retrain")
    args = parser.parse_args()

    path, train_rows = SOURCES[args.source]
    source = open_source(str(path))
    plan = ReplayPlan(
        model_id=args.source,
        train_rows=train_rows,
        rate=args.rate,
        progress=False,
        retrain_on_request="retrain" in args.workers.split(","),
    )
    kafka = connect()
    started = time.monotonic()
    names = tuple(args.workers.split(","))
    # One row is one second of event time: a one-hour cooldown lets every
    # detected change lead to a retrain while still folding an alert storm.
    config = Path(".driftline/bench/replay_real_data.yaml")
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("defaults:\n  retrain:\n    cooldown_s: 3600\n")
    with WorkerProcesses(
        kafka,
        names,
        run=f"bench{args.source}{int(time.time())}",
        workdir=Path(".driftline/bench"),
        env={"DRIFTLINE_CONFIG_FILE": str(config.resolve())},
    ) as pipeline:
        stats = replay(source, plan, kafka=kafka, topics=pipeline.topics)
        pipeline.settle(stats.predictions + stats.labels, 600)
    alerts = [
        orjson.loads(m.value())
        for m in read_committed(kafka, pipeline.topics.name("alerts"))
    ]
    rows = sorted(
        (a["detected_at_ms"] - plan.start_time_ms) // plan.interval_ms for a in alerts
    )
    for a in sorted(alerts, key=lambda a: a["detected_at_ms"]):
        row = (a["detected_at_ms"] - plan.start_time_ms) // plan.interval_ms
        kind, detector, statistic = a["kind"], a["detector"], a["statistic"]
        print(f"row {row:>6}  {kind:11} {detector:10} statistic={statistic:.4g}")
    result = {
        "source": args.source,
        "rows": source.length,
        "trained_on": train_rows,
        "drifts": source.drifts,
        **score(rows, source.drifts, train_rows, source.length or 0),
        "retrain_requests": count_records(
            kafka, pipeline.topics.name("retrain_requests")
        )
        if "retrain" in names
        else None,
        "predictions": stats.predictions,
        "retrained_at": stats.retrained_at,
        "seconds": round(time.monotonic() - started, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
