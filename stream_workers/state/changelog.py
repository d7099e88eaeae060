"""Reading changelog partitions back, up to their last committed records."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping

from confluent_kafka import OFFSET_BEGINNING, KafkaError, TopicPartition

from stream_workers.config.settings import KafkaSettings
from stream_workers.errors import StateError
from stream_workers.kafka.clients import make_consumer
from stream_workers.kafka.records import coordinates

__all__ = ["read_changelog"]


def read_changelog(
    settings: KafkaSettings,
    topic: str,
    starts: Mapping[int, int | None],
    *,
    timeout_s: float = 600.0,
) -> Iterator[tuple[int, bytes, bytes | None, int]]:
    """Yield (partition, key, value or None, offset) of several partitions to the end.

    ``starts`` maps each partition to the offset to read from (None: the beginning).
    One consumer reads them all with ``read_committed``, so records of aborted
    transactions never come back; each partition ends at its last stable offset.
    """
    if not starts:
        return
    consumer = make_consumer(
        settings,
        "driftline-restore",
        overrides={
            "enable.partition.eof": True,
            "fetch.max.bytes": 52428800,
            "max.partition.fetch.bytes": 10485760,
            "fetch.wait.max.ms": 10,
        },
    )
    consumer.assign(
        [
            TopicPartition(topic, p, OFFSET_BEGINNING if o is None else o)
            for p, o in starts.items()
        ]
    )
    open_parts = set(starts)
    deadline = time.monotonic() + timeout_s
    try:
        while open_parts:
            if time.monotonic() > deadline:
                raise StateError(
                    f"restoring {topic} took longer than {timeout_s:.0f} s; "
                    f"partitions {sorted(open_parts)} not finished"
                )
            for message in consumer.consume(5000, 0.2):
                error = message.error()
                if error is not None:
                    if error.code() == KafkaError._PARTITION_EOF:
                        open_parts.discard(message.partition())
                        continue
                    raise StateError(f"reading changelog {topic} failed: {error.str()}")
                _, partition, offset = coordinates(message)
                yield partition, message.key() or b"", message.value(), offset
    finally:
        consumer.close()
