"""Join state size: SQLite bytes on disk and worker RSS per pending prediction.

Run against a real local broker::

    .venv/bin/python benchmarks/join_state_size.py --sizes 100000 300000

Produces predictions only (labels never come, the TTL is the default week), so
every prediction stays pending. At each size in ``--sizes`` the benchmark waits
until the worker committed all of it, then reads the state directory's size
(database, WAL and shared-memory files) and the worker's ``VmRSS`` and ``VmHWM``
from ``/proc/<pid>/status``. The stored state of a prediction is what the join
keeps (IDs, prediction, confidence, times; no features unless
``DRIFTLINE_JOIN_STORE_FEATURES`` is set).

The last line printed is a JSON object with one entry per size: bytes on disk,
bytes per pending prediction, RSS in MiB, and the RSS growth per prediction
over the first size.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from _common import (
    JOIN_GROUP,
    T0,
    JoinProcess,
    Record,
    default_bootstrap,
    disk_bytes,
    drop_topics,
    end_offsets,
    fresh_topics,
    prediction_value,
    produce,
    rss_kib,
    wait_consumed,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", default=default_bootstrap())
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000])
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--keep-topics", action="store_true")
    return parser.parse_args()


def predictions(start: int, stop: int) -> Iterator[Record]:
    rng = random.Random(start)
    for i in range(start, stop):
        rid = f"r{i:08d}"
        yield ("predictions", rid, prediction_value(rid, T0 + i * 10, rng), None)


def pending_rows(state_dir: Path) -> int:
    """Pending predictions in the worker's SQLite file (a read-only look)."""
    (path,) = state_dir.rglob("*.sqlite")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return int(
            db.execute("SELECT COUNT(*) FROM entries WHERE kind='p'").fetchone()[0]
        )


def main() -> None:
    args = parse_args()
    started = time.monotonic()
    topics = fresh_topics(args.bootstrap, "state", args.partitions)
    inputs = [topics.name("predictions"), topics.name("labels")]
    workdir = Path(tempfile.mkdtemp(prefix="join-state-"))
    worker = JoinProcess(
        args.bootstrap, topics, workdir / "state", workdir / "worker.log"
    )
    points: list[dict[str, float]] = []

    try:
        worker.start()
        time.sleep(5.0)
        idle = rss_kib(worker.pid)
        done = 0
        for size in sorted(args.sizes):
            # Grow the pending set to this size and let the worker catch up.
            produce(args.bootstrap, topics, predictions(done, size))
            done = size
            ends = end_offsets(args.bootstrap, inputs)
            wait_consumed(
                args.bootstrap,
                topics.prefix + JOIN_GROUP,
                ends,
                timeout_s=1800,
                alive=worker,
            )
            time.sleep(1.0)

            # Measure.
            on_disk = disk_bytes(worker.state_dir)
            memory = rss_kib(worker.pid)
            points.append(
                {
                    "pending": pending_rows(worker.state_dir),
                    "disk_bytes": on_disk,
                    "disk_bytes_per_pending": round(on_disk / size, 1),
                    "rss_mib": round(memory["VmRSS"] / 1024, 1),
                    "hwm_mib": round(memory["VmHWM"] / 1024, 1),
                    "elapsed_s": round(time.monotonic() - started, 1),
                }
            )
            print(json.dumps(points[-1]), flush=True)
    finally:
        worker.stop()
        if not args.keep_topics:
            drop_topics(args.bootstrap, topics.prefix)

    # Growth between the first and the last point, per prediction.
    first, last = points[0], points[-1]
    grown = last["pending"] - first["pending"]
    result: dict[str, object] = {
        "points": points,
        "idle_rss_mib": round(idle["VmRSS"] / 1024, 1),
    }
    if grown > 0:
        result["disk_bytes_per_pending_marginal"] = round(
            (last["disk_bytes"] - first["disk_bytes"]) / grown, 1
        )
        result["rss_bytes_per_pending_marginal"] = round(
            (last["rss_mib"] - first["rss_mib"]) * 1024 * 1024 / grown, 1
        )
    result["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
