"""The KIP-848 range assignor keeps co-partitioned topics together."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from confluent_kafka import Consumer
from confluent_kafka.admin import AdminClient

from stream_workers.config.settings import KafkaSettings
from stream_workers.errors import TopicLayoutError
from stream_workers.kafka.clients import make_consumer
from stream_workers.kafka.topics import check_copartitioned

pytestmark = pytest.mark.kafka


def held(consumer: Consumer) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for tp in consumer.assignment():
        out.setdefault(tp.topic, set()).add(tp.partition)
    return out


def settle(members: list[Consumer], topics: list[str], total: int) -> None:
    """Poll every member until the group's assignment covers all partitions."""
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        for member in members:
            member.poll(0.2)
        counts = [sum(len(p) for p in held(m).values()) for m in members]
        if sum(counts) == total * len(topics) and all(counts):
            return
    raise AssertionError(f"group did not settle: {[held(m) for m in members]}")


def test_two_members_hold_the_same_partition_numbers_of_both_topics(
    kafka_settings: KafkaSettings, make_topic: Callable[..., str]
) -> None:
    predictions = make_topic("pred", partitions=4)
    labels = make_topic("lab", partitions=4)
    topics = [predictions, labels]
    group = f"g-{predictions}"
    first = make_consumer(kafka_settings, group)
    first.subscribe(topics)

    settle([first], topics, 4)
    assert held(first) == {predictions: {0, 1, 2, 3}, labels: {0, 1, 2, 3}}

    second = make_consumer(kafka_settings, group)
    second.subscribe(topics)
    settle([first, second], topics, 4)
    for member in (first, second):
        mine = held(member)
        assert mine[predictions] == mine[labels]
    assert held(first)[predictions].isdisjoint(held(second)[predictions])

    first.close()
    settle([second], topics, 4)
    assert held(second) == {predictions: {0, 1, 2, 3}, labels: {0, 1, 2, 3}}
    second.close()


def test_topics_with_different_partition_counts_are_refused(
    admin: AdminClient, make_topic: Callable[..., str]
) -> None:
    predictions = make_topic("pred", partitions=4)
    labels = make_topic("lab", partitions=3)

    with pytest.raises(TopicLayoutError, match="same partition count"):
        check_copartitioned(admin, predictions, labels)
