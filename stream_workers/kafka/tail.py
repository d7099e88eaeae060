"""Reading a topic as it grows, or counting what it holds, with read_committed."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from confluent_kafka import Message, TopicPartition

from stream_workers.config.settings import KafkaSettings
from stream_workers.errors import TopicLayoutError
from stream_workers.kafka.clients import make_consumer

__all__ = ["count_records", "follow", "read_committed"]


def follow(
    kafka: KafkaSettings,
    topic: str,
    *,
    from_beginning: bool = True,
    stop: Callable[[], bool] = lambda: False,
    poll_s: float = 0.3,
) -> Iterator[Message]:
    """Yield committed records of a topic until ``stop()`` is true."""
    consumer = make_consumer(
        kafka,
        f"driftline-tail-{time.monotonic_ns()}",
        overrides={"auto.offset.reset": "earliest" if from_beginning else "latest"},
    )
    metadata = consumer.list_topics(topic, timeout=10).topics.get(topic)
    if metadata is None or metadata.error is not None or not metadata.partitions:
        consumer.close()
        raise TopicLayoutError(
            f"topic {topic} does not exist; check DRIFTLINE_TOPIC_PREFIX or run "
            "`driftline topics create`",
            topics=(topic,),
        )
    partitions = metadata.partitions
    start = -2 if from_beginning else -1
    consumer.assign([TopicPartition(topic, p, start) for p in partitions])
    try:
        while not stop():
            for message in consumer.consume(500, poll_s):
                if message.error() is None:
                    yield message
    finally:
        consumer.close()


def read_committed(
    kafka: KafkaSettings, topic: str, *, quiet_s: float = 1.5
) -> list[Message]:
    """Every committed record of a topic, read until nothing new for ``quiet_s``."""
    consumer = make_consumer(kafka, f"driftline-read-{time.monotonic_ns()}")
    partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    consumer.assign([TopicPartition(topic, p, -2) for p in partitions])
    records: list[Message] = []
    last_new = time.monotonic()
    while time.monotonic() - last_new < quiet_s:
        batch = [m for m in consumer.consume(5000, 0.3) if m.error() is None]
        if batch:
            records += batch
            last_new = time.monotonic()
    consumer.close()
    return records


def count_records(kafka: KafkaSettings, topic: str, *, quiet_s: float = 1.5) -> int:
    """How many committed records a topic holds (control markers excluded)."""
    return len(read_committed(kafka, topic, quiet_s=quiet_s))
