"""Data-drift worker on INSECTS (gradual, balanced) through the real broker.

Run against the local broker::

    .venv/bin/python benchmarks/data_drift_insects.py

Each of the 24,150 rows becomes a PredictionEvent (33 numeric features, the
class as the prediction, event time = row index in seconds) on a one-partition
predictions topic. The first 5,000 rows are the reference; windows are tumbling
by count. Drift starts at row 14,028. An alert's row position is the row index
of the last record of its window. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

import orjson

from benchmarks.data_drift_common import (
    data_worker,
    fresh_topics,
    produce_all,
    wait_consumed,
)
from stream_workers.config.settings import KafkaSettings
from tests.workers.harness import read_all, values

DATA = Path("/work/shared/data/insects_gradual_balanced.csv.gz")
DRIFT_ROW = 14_028
REFERENCE_ROWS = 5000


def rows(path: Path) -> list[list[str]]:
    with gzip.open(path, "rt") as text:
        return [line.strip().split(",") for line in text if line.strip()]


def events(table: list[list[str]]) -> list[tuple[str, bytes]]:
    out = []
    for i, row in enumerate(table):
        features = {f"f{j}": float(v) for j, v in enumerate(row[:-1])}
        event = {
            "request_id": f"row{i}",
            "model_id": "insects",
            "model_version": "v1",
            "event_time_ms": i * 1000,
            "features": features,
            "prediction": row[-1],
        }
        out.append((f"row{i}", orjson.dumps(event)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--window", type=int, default=1000)
    parser.add_argument("--correction", default="holm")
    args = parser.parse_args()

    table = rows(DATA)
    kafka = KafkaSettings()
    config = {
        "reference": {"first_n": REFERENCE_ROWS},
        "window": {"size": args.window},
        "correction": args.correction,
        "monitor_confidence": False,
    }
    with fresh_topics(kafka, partitions=1) as topics:
        produce_all(kafka, topics.name("predictions"), events(table))
        started = time.perf_counter()
        with data_worker(kafka, topics, config) as registry:
            wait_consumed(registry, topics, len(table), timeout_s=300)
        seconds = time.perf_counter() - started
        alerts = values(read_all(kafka, topics.name("alerts"), quiet_s=2.0))

    found = []
    for alert in sorted(alerts, key=lambda a: a["window"]["last_event_time_ms"]):
        last_row = alert["window"]["last_event_time_ms"] // 1000
        first_row = alert["window"]["first_event_time_ms"] // 1000
        found.append((first_row, last_row, alert["kind"], alert.get("feature")))
        print(
            f"rows {first_row:>6}-{last_row:<6} {alert['kind']:<10} "
            f"{alert.get('feature')!s:<8} {alert['test']:<18} "
            f"effect {alert.get('effect_size_name')}={alert.get('effect_size')}"
        )
    before = [f for f in found if f[1] < DRIFT_ROW]
    after = [f for f in found if f[1] >= DRIFT_ROW]
    delay = after[0][1] - DRIFT_ROW if after else None
    print(
        json.dumps(
            {
                "rows": len(table),
                "reference_rows": REFERENCE_ROWS,
                "window": args.window,
                "correction": args.correction,
                "alerts": len(found),
                "alerts_before_drift": len(before),
                "alerts_after_drift": len(after),
                "first_alert_row_after_drift": after[0][1] if after else None,
                "delay_rows": delay,
                "features_alerted": sorted({f[3] for f in after if f[3]}),
                "seconds": round(seconds, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
