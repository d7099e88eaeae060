"""Join worker throughput against a bare confluent-kafka passthrough, in one run.

Run against a real local broker::

    .venv/bin/python benchmarks/join_throughput.py --n 100000

Produces ``n`` predictions and their labels once (the same mix as
``join_recovery.py``: late, early and never-labelled), then lets three consumers
read the same input in turn, each as its own process: the passthrough with
transactions (batch consume, produce every record to an output topic, send the
offsets and commit per batch, as the join's loop does), the passthrough without
transactions (produce, then commit the offsets asynchronously: no flush, no
guarantee), and the join worker itself. Each rate is input records per second
from the first committed offset move to the last, so start-up and restore are
left out. ``--profile`` attaches py-spy to the join worker and prints its hottest
functions on stderr (``--join-only`` skips the passthroughs).

The last line printed is a JSON object with the three rates and the ratios of
the join to each passthrough.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

from _common import (
    JOIN_GROUP,
    JoinProcess,
    default_bootstrap,
    drop_topics,
    end_offsets,
    fresh_topics,
    mixed_workload,
    produce,
    wait_consumed,
)
from confluent_kafka import KafkaException, Message, Producer, TopicPartition
from confluent_kafka.admin import NewTopic

from stream_workers.config.settings import KafkaSettings, TopicSettings
from stream_workers.kafka.clients import make_admin, make_consumer, make_producer


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", default=default_bootstrap())
    parser.add_argument("--n", type=int, default=100_000, help="requests")
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--poll-timeout-s", type=float, default=0.5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--join-only", action="store_true")
    parser.add_argument("--keep-topics", action="store_true")
    # The passthrough child process (internal).
    parser.add_argument("--passthrough", choices=["txn", "plain"])
    parser.add_argument("--inputs", nargs=2)
    parser.add_argument("--output")
    parser.add_argument("--group")
    return parser.parse_args()


# -- the passthrough (a child process) --------------------------------------------
def passthrough(args: argparse.Namespace) -> None:
    """Consume both inputs in batches and produce every record to one output."""
    kafka = KafkaSettings(bootstrap_servers=args.bootstrap)
    transactional = args.passthrough == "txn"
    consumer = make_consumer(kafka, args.group)
    producer = make_producer(
        kafka,
        transactional_id=f"{args.group}-txn" if transactional else None,
    )
    stopping: list[bool] = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    if transactional:
        producer.init_transactions()
    consumer.subscribe(args.inputs)

    while not stopping:
        batch = consumer.consume(args.batch_size, args.poll_timeout_s)
        records = [m for m in batch if m.error() is None]
        if not records:
            continue
        if transactional:
            producer.begin_transaction()
        for m in records:
            send(producer, args.output, m)
        offsets = next_offsets(records)
        if transactional:
            producer.send_offsets_to_transaction(
                offsets, consumer.consumer_group_metadata()
            )
            producer.commit_transaction()
        else:
            producer.poll(0)
            consumer.commit(offsets=offsets, asynchronous=True)
    consumer.close()
    producer.flush(10)


def send(producer: Producer, topic: str, message: Message) -> None:
    while True:
        try:
            producer.produce(topic, message.value(), key=message.key())
            return
        except BufferError:
            producer.poll(0.05)


def next_offsets(records: list[Message]) -> list[TopicPartition]:
    last: dict[tuple[str, int], int] = {}
    for m in records:
        key = (m.topic(), m.partition())
        last[key] = max(last.get(key, -1), m.offset())
    return [TopicPartition(t, p, o + 1) for (t, p), o in last.items()]


# -- the parent: measure each in turn ----------------------------------------------
def measure(
    args: argparse.Namespace,
    group: str,
    ends: dict[tuple[str, int], int],
    process: subprocess.Popen[bytes] | JoinProcess,
) -> dict[str, float]:
    """Records per second of one consumer, from its first commit to the end."""
    alive = process if isinstance(process, JoinProcess) else None
    first, done, base = wait_consumed(
        args.bootstrap, group, ends, timeout_s=900, alive=alive
    )
    records = sum(ends.values()) - base
    seconds = max(done - first, 1e-3)
    return {"records": records, "seconds": round(seconds, 2), "rate": records / seconds}


def run_passthrough(
    args: argparse.Namespace, mode: str, inputs: list[str], prefix: str, ends: dict
) -> dict[str, float]:
    output = f"{prefix}passthrough-{mode}"
    admin = make_admin(KafkaSettings(bootstrap_servers=args.bootstrap))
    for future in admin.create_topics(
        [NewTopic(output, num_partitions=args.partitions, replication_factor=1)]
    ).values():
        try:
            future.result()
        except KafkaException:
            pass
    group = f"bench-passthrough-{mode}-{uuid.uuid4().hex[:8]}"
    command = [
        sys.executable,
        __file__,
        "--passthrough",
        mode,
        "--bootstrap",
        args.bootstrap,
        "--inputs",
        *inputs,
        "--output",
        output,
        "--group",
        group,
        "--batch-size",
        str(args.batch_size),
        "--poll-timeout-s",
        str(args.poll_timeout_s),
    ]
    child = subprocess.Popen(command)
    try:
        return measure(args, group, ends, child)
    finally:
        child.send_signal(signal.SIGTERM)
        child.wait(60)


def hotspots(raw: Path, top: int = 12) -> dict[str, list[tuple[str, float]]]:
    """Self and inclusive shares of the hottest frames in a py-spy raw file."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        frames = stack.split(";")
        samples += count
        own[frames[-1]] += count
        for frame in set(frames):
            total[frame] += count
    share = 100.0 / max(samples, 1)
    return {
        "self_pct": [(f, round(c * share, 1)) for f, c in own.most_common(top)],
        "total_pct": [(f, round(c * share, 1)) for f, c in total.most_common(top * 3)],
    }


def run_join(
    args: argparse.Namespace, topics: TopicSettings, ends: dict, workdir: Path
) -> tuple[dict[str, float], dict | None]:
    worker = JoinProcess(
        args.bootstrap,
        topics,
        workdir / "state",
        workdir / "worker.log",
        env={
            "DRIFTLINE_BATCH_SIZE": str(args.batch_size),
            "DRIFTLINE_POLL_TIMEOUT_S": str(args.poll_timeout_s),
            "DRIFTLINE_JOIN_PREDICTION_TTL_S": "600",
            "DRIFTLINE_JOIN_LABEL_TTL_S": "600",
        },
    )
    worker.start()
    spy = None
    raw = workdir / "join.pyspy.txt"
    if args.profile:
        spy = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "py-spy"),
                "record",
                "--pid",
                str(worker.pid),
                "--format",
                "raw",
                "--rate",
                "50",
                "--nonblocking",
                "--output",
                str(raw),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    try:
        result = measure(args, topics.prefix + JOIN_GROUP, ends, worker)
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(60)
        worker.stop()
    return result, hotspots(raw) if spy is not None else None


def main() -> None:
    args = parse_args()
    if args.passthrough:
        passthrough(args)
        return
    started = time.monotonic()

    # One input for all three consumers.
    workload = mixed_workload(args.n)
    topics = fresh_topics(args.bootstrap, "throughput", args.partitions)
    inputs = [topics.name("predictions"), topics.name("labels")]
    workdir = Path(tempfile.mkdtemp(prefix="join-throughput-"))
    result: dict[str, object] = {"input_records": len(workload.records)}
    try:
        produce(args.bootstrap, topics, workload.records)
        ends = end_offsets(args.bootstrap, inputs)

        # The passthroughs, then the join, one at a time.
        if not args.join_only:
            for mode in ("txn", "plain"):
                rates = run_passthrough(args, mode, inputs, topics.prefix, ends)
                result[f"passthrough_{mode}"] = rates
        join, spots = run_join(args, topics, ends, workdir)
        result["join"] = join
    finally:
        if not args.keep_topics:
            drop_topics(args.bootstrap, topics.prefix)

    # Ratios and hotspots.
    rate = join["rate"]
    for mode in ("txn", "plain"):
        other = result.get(f"passthrough_{mode}")
        if isinstance(other, dict):
            result[f"ratio_join_to_passthrough_{mode}"] = round(rate / other["rate"], 3)
    for value in result.values():
        if isinstance(value, dict):
            value["rate"] = round(value["rate"])
    if spots is not None:
        for line in spots["self_pct"]:
            print("self", *line, file=sys.stderr)
        for line in spots["total_pct"]:
            print("total", *line, file=sys.stderr)
        result["top_self"] = spots["self_pct"][:6]
    result["batch_size"] = args.batch_size
    result["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
