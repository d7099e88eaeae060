"""The join worker under SIGKILL: no outcome lost, none duplicated.

Run against a real local broker::

    .venv/bin/python benchmarks/join_recovery.py --n 200000 --kills 3

Streams ``n`` predictions and their labels (late by up to ``--max-delay-s``, some
early, ``--never`` never labelled) while the join worker process is killed with
SIGKILL ``--kills`` times at random moments and restarted with the same instance
ID and state dir; one restart (``--wipe-at``) starts from an empty state dir, so
the whole changelog is restored. By default the TTL is longer than the event-time
span, so nothing expires until the input is consumed; then one far-future label
per partition advances every stream time past the TTL and the never-labelled
predictions expire, so every request ends with exactly one outcome. ``outcomes``
is then read with ``read_committed``.

A ``--ttl-s`` shorter than the span makes expiries happen throughout, but then
labelled requests come out unlabeled whenever the worker reads one topic ahead of
the other (see ``benchmarks/README.md``): still one outcome each, no loss.

The last line printed is a JSON object: ``expected``, ``outcomes``, ``lost`` and
``duplicated`` (by request ID), ``unexpected_unlabeled`` (labelled requests whose
prediction expired before its label was read: the join consumed one topic ahead of
the other), ``late_labels``, ``kills`` and ``seconds``.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import orjson
from _common import (
    JOIN_GROUP,
    T0,
    JoinProcess,
    default_bootstrap,
    drop_topics,
    end_offsets,
    fresh_topics,
    mixed_workload,
    produce,
    read_topic,
    sentinels,
    wait_consumed,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", default=default_bootstrap())
    parser.add_argument("--n", type=int, default=200_000, help="requests")
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument(
        "--wipe-at",
        type=int,
        default=2,
        help="kill number after which the state dir is wiped (0: never)",
    )
    parser.add_argument("--min-gap-s", type=float, default=5.0)
    parser.add_argument("--max-gap-s", type=float, default=20.0)
    parser.add_argument("--step-ms", type=int, default=10)
    parser.add_argument("--max-delay-s", type=float, default=60.0)
    parser.add_argument(
        "--ttl-s",
        type=float,
        default=None,
        help="prediction and label TTL (default: longer than the event-time span)",
    )
    parser.add_argument("--never", type=float, default=0.05)
    parser.add_argument("--early", type=float, default=0.10)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep-topics", action="store_true")
    return parser.parse_args()


def count_outcomes(
    bootstrap: str, topic: str, labelled: dict[str, bool]
) -> dict[str, int]:
    """Compare the outcomes topic with what each request should have produced."""
    seen: Counter[str] = Counter()
    flags: dict[str, bool] = {}
    total = 0
    for value in read_topic(bootstrap, topic):
        outcome = orjson.loads(value)
        seen[outcome["request_id"]] += 1
        flags[outcome["request_id"]] = outcome["labeled"]
        total += 1
    return {
        "outcomes": total,
        "lost": sum(1 for rid in labelled if rid not in seen),
        "duplicated": sum(c - 1 for c in seen.values() if c > 1),
        "unknown": sum(1 for rid in seen if rid not in labelled),
        "unexpected_unlabeled": sum(
            1 for rid, lab in labelled.items() if lab and flags.get(rid) is False
        ),
        "unexpected_labeled": sum(
            1 for rid, lab in labelled.items() if not lab and flags.get(rid) is True
        ),
    }


def main() -> None:
    args = parse_args()
    rng = random.Random(args.seed)
    started = time.monotonic()

    # Workload and topics.
    workload = mixed_workload(
        args.n,
        seed=args.seed,
        step_ms=args.step_ms,
        max_delay_ms=int(args.max_delay_s * 1000),
        early_share=args.early,
        never_share=args.never,
    )
    span_s = (workload.last_event_ms - T0) / 1000
    ttl_s = args.ttl_s or span_s + 2 * args.max_delay_s + 60
    topics = fresh_topics(args.bootstrap, "recovery", args.partitions)
    inputs = [topics.name("predictions"), topics.name("labels")]
    workdir = Path(tempfile.mkdtemp(prefix="join-recovery-"))
    worker = JoinProcess(
        args.bootstrap,
        topics,
        workdir / "state",
        workdir / "worker.log",
        env={
            "DRIFTLINE_BATCH_SIZE": str(args.batch_size),
            "DRIFTLINE_POLL_TIMEOUT_S": "0.2",
            "DRIFTLINE_JOIN_PREDICTION_TTL_S": str(ttl_s),
            "DRIFTLINE_JOIN_LABEL_TTL_S": str(ttl_s),
        },
    )

    try:
        # Stream the input while the worker is killed and restarted.
        producer = threading.Thread(
            target=produce, args=(args.bootstrap, topics, workload.records)
        )
        producer.start()
        worker.start()
        kill_times: list[float] = []
        for k in range(1, args.kills + 1):
            time.sleep(rng.uniform(args.min_gap_s, args.max_gap_s))
            worker.kill()
            kill_times.append(round(time.monotonic() - started, 1))
            if k == args.wipe_at:
                worker.wipe_state()
            worker.start()
        producer.join()

        # Drain, then push every stream time past the TTL and drain again.
        ends = end_offsets(args.bootstrap, inputs)
        wait_consumed(
            args.bootstrap,
            topics.prefix + JOIN_GROUP,
            ends,
            timeout_s=600,
            alive=worker,
        )
        far = workload.last_event_ms + int(2 * ttl_s * 1000) + 1000
        produce(args.bootstrap, topics, sentinels(args.partitions, far))
        ends = end_offsets(args.bootstrap, inputs)
        wait_consumed(
            args.bootstrap,
            topics.prefix + JOIN_GROUP,
            ends,
            timeout_s=300,
            alive=worker,
        )
        exit_code = worker.stop()

        # Count by request ID.
        counts = count_outcomes(
            args.bootstrap, topics.name("outcomes"), workload.labelled
        )
        late = sum(1 for _ in read_topic(args.bootstrap, topics.name("late_labels")))
    finally:
        worker.stop(10)
        if not args.keep_topics:
            drop_topics(args.bootstrap, topics.prefix)

    result = {
        "expected": len(workload.labelled),
        **counts,
        "expected_unlabeled": sum(1 for lab in workload.labelled.values() if not lab),
        "late_labels": late,
        "input_records": len(workload.records),
        "kills": len(kill_times),
        "kill_at_s": kill_times,
        "wiped_state_at_kill": args.wipe_at,
        "ttl_s": ttl_s,
        "event_span_s": span_s,
        "worker_exit_code": exit_code,
        "seconds": round(time.monotonic() - started, 1),
        "worker_log": str(worker.log_path),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
