"""Typed accessors for consumed records.

confluent-kafka types a message's topic, partition, offset and value as optional,
because a message may carry an error instead; a record the loop hands on never does.
"""

from __future__ import annotations

from confluent_kafka import Message

__all__ = ["coordinates", "partition_of", "value_of"]


def partition_of(message: Message) -> int:
    """The partition of a consumed record."""
    partition = message.partition()
    assert partition is not None, "a consumed record always has a partition"
    return partition


def coordinates(message: Message) -> tuple[str, int, int]:
    """(topic, partition, offset) of a consumed record."""
    topic, offset = message.topic(), message.offset()
    assert topic is not None and offset is not None, "a consumed record has both"
    return topic, partition_of(message), offset


def value_of(message: Message) -> bytes:
    """The value of a record, empty bytes for a tombstone."""
    value = message.value()
    return value if value is not None else b""
