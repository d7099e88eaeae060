"""Data-drift worker throughput against a bare consumer, through the real broker.

Run against the local broker::

    .venv/bin/python benchmarks/data_drift_throughput.py --count 200000

Produces ``--count`` predictions with 20 features (10 numeric, 10 categorical)
to a fresh predictions topic, then reads them twice: with the data-drift worker
(transactions on, snapshots, reference of 5,000 and windows of 5,000 per
partition) and with a bare confluent-kafka consumer that only touches each
value. Each rate counts from the first record consumed to the last. The last
line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import time
import uuid

import numpy as np
import orjson
from confluent_kafka import Consumer, TopicPartition

from benchmarks.data_drift_common import (
    data_worker,
    fresh_topics,
    produce_all,
    wait_consumed,
)
from stream_workers.config.settings import KafkaSettings


def events(count: int) -> list[tuple[str, bytes]]:
    rng = np.random.default_rng(7)
    numbers = rng.normal(size=(count, 10)).round(6).tolist()
    categories = rng.choice(["a", "b", "c", "d", "e"], size=(count, 10)).tolist()
    out = []
    for i in range(count):
        features = {f"n{j}": numbers[i][j] for j in range(10)}
        features |= {f"c{j}": categories[i][j] for j in range(10)}
        event = {
            "request_id": f"r{i}",
            "model_id": "bench",
            "model_version": "v1",
            "event_time_ms": 1_767_225_600_000 + i,
            "features": features,
            "prediction": "yes" if i % 3 else "no",
            "probabilities": {"yes": 0.7, "no": 0.3},
        }
        out.append((f"r{i}", orjson.dumps(event)))
    return out


def bare_rate(kafka: KafkaSettings, topic: str, partitions: int, total: int) -> float:
    consumer = Consumer(
        {
            "bootstrap.servers": kafka.bootstrap_servers,
            "group.id": f"bench-bare-{uuid.uuid4().hex[:8]}",
            "enable.auto.commit": False,
            "isolation.level": "read_committed",
            "fetch.wait.max.ms": 100,
        }
    )
    consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
    seen, first_at, size = 0, 0.0, 0
    while seen < total:
        batch = consumer.consume(5000, 1.0)
        if batch and not first_at:
            first_at = time.perf_counter()
        for message in batch:
            if message.error() is None:
                size += len(message.value())
                seen += 1
    rate = seen / (time.perf_counter() - first_at)
    consumer.close()
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=5000)
    args = parser.parse_args()

    kafka = KafkaSettings()
    config = {"reference": {"first_n": 5000}, "window": {"size": 5000}}
    with fresh_topics(kafka, args.partitions) as topics:
        topic = topics.name("predictions")
        produce_all(kafka, topic, events(args.count))

        bare = bare_rate(kafka, topic, args.partitions, args.count)
        with data_worker(kafka, topics, config, batch_size=args.batch_size) as registry:
            first, first_at, done_at = wait_consumed(
                registry, topics, args.count, timeout_s=600
            )
            windows = registry.get_sample_value(
                "driftline_data_windows_evaluated_total", {"model": "bench"}
            )
    worker = (args.count - first) / (done_at - first_at)
    print(
        json.dumps(
            {
                "count": args.count,
                "features": 20,
                "partitions": args.partitions,
                "batch_size": args.batch_size,
                "windows_evaluated": windows,
                "worker_per_s": round(worker),
                "bare_consumer_per_s": round(bare),
                "ratio": round(worker / bare, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
