"""Shared pieces of the data-drift benchmarks: topics, producing, a worker thread.

Everything runs against the local broker (``DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS``,
default 127.0.0.1:9092) under a unique topic prefix, deleted afterwards.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from confluent_kafka.admin import AdminClient
from prometheus_client import CollectorRegistry

from stream_workers.config.models import DriftlineConfig
from stream_workers.config.settings import KafkaSettings, TopicSettings, WorkerSettings
from stream_workers.kafka.clients import make_producer
from stream_workers.kafka.loop import StopFlag
from stream_workers.kafka.topics import ensure_topics
from stream_workers.workers import data


@contextmanager
def fresh_topics(kafka: KafkaSettings, partitions: int) -> Iterator[TopicSettings]:
    """A full set of driftline topics under a unique prefix, deleted afterwards."""
    admin = AdminClient({"bootstrap.servers": kafka.bootstrap_servers})
    topics = TopicSettings(
        prefix=f"bench{uuid.uuid4().hex[:8]}-", input_partitions=partitions
    )
    ensure_topics(admin, topics)
    try:
        yield topics
    finally:
        names = [
            t
            for t in admin.list_topics(timeout=10).topics
            if t.startswith(topics.prefix)
        ]
        admin.delete_topics(names, operation_timeout=30)


def produce_all(
    kafka: KafkaSettings, topic: str, records: Iterable[tuple[str, bytes]]
) -> int:
    """Produce (key, value) records; return how many."""
    producer = make_producer(
        kafka, overrides={"queue.buffering.max.messages": 1_000_000}
    )
    count = 0
    for key, value in records:
        while True:
            try:
                producer.produce(topic, value, key=key)
                break
            except BufferError:
                producer.poll(0.05)
        count += 1
    producer.flush(120)
    return count


def consumed(registry: CollectorRegistry, topics: TopicSettings) -> float:
    labels = {"worker": "data", "topic": topics.name("predictions")}
    return registry.get_sample_value("driftline_records_consumed_total", labels) or 0


@contextmanager
def data_worker(
    kafka: KafkaSettings,
    topics: TopicSettings,
    config: dict[str, Any],
    **worker: Any,
) -> Iterator[CollectorRegistry]:
    """Run the data-drift worker in a thread until the block ends."""
    stop, registry, errors = StopFlag(), CollectorRegistry(), []
    settings = WorkerSettings(
        instance_id=f"bench-{uuid.uuid4().hex[:8]}", poll_timeout_s=0.1, **worker
    )

    def target() -> None:
        try:
            data.main(
                config=DriftlineConfig.model_validate({"defaults": {"data": config}}),
                kafka=kafka,
                topics=topics,
                worker=settings,
                registry=registry,
                stop=stop,
            )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    try:
        yield registry
    finally:
        stop.set()
        thread.join(120)
    if errors:
        raise errors[0]


def wait_consumed(
    registry: CollectorRegistry, topics: TopicSettings, total: int, timeout_s: float
) -> tuple[float, float, float]:
    """Wait until ``total`` records were consumed; return (first seen count,
    time it was seen, time the total was reached)."""
    deadline = time.monotonic() + timeout_s
    first_count, first_at = 0.0, 0.0
    while time.monotonic() < deadline:
        count = consumed(registry, topics)
        now = time.perf_counter()
        if count and not first_at:
            first_count, first_at = count, now
        if count >= total:
            return first_count, first_at, now
        time.sleep(0.02)
    raise TimeoutError(f"consumed {consumed(registry, topics)} of {total}")
