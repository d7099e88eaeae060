"""Producers and consumers against the real broker."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from confluent_kafka import Consumer, TopicPartition

from stream_workers.config.settings import KafkaSettings
from stream_workers.kafka.clients import make_consumer, make_producer

pytestmark = pytest.mark.kafka


def murmur2(data: bytes) -> int:
    """Kafka's murmur2 (Java client), written from the algorithm as a reference."""
    m, r, seed = 0x5BD1E995, 24, 0x9747B28C
    length = len(data)
    h = (seed ^ length) & 0xFFFFFFFF
    for i in range(0, length - length % 4, 4):
        k = int.from_bytes(data[i : i + 4], "little")
        k = (k * m) & 0xFFFFFFFF
        k ^= k >> r
        k = (k * m) & 0xFFFFFFFF
        h = (h * m) & 0xFFFFFFFF
        h ^= k
    tail = length % 4
    base = length - tail
    if tail == 3:
        h ^= data[base + 2] << 16
    if tail >= 2:
        h ^= data[base + 1] << 8
    if tail >= 1:
        h ^= data[base]
        h = (h * m) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * m) & 0xFFFFFFFF
    h ^= h >> 15
    return h


def java_partition(key: bytes, partitions: int) -> int:
    return (murmur2(key) & 0x7FFFFFFF) % partitions


def drain(consumer: Consumer, expected: int, timeout_s: float = 30.0) -> list:
    got = []
    deadline = time.monotonic() + timeout_s
    while len(got) < expected and time.monotonic() < deadline:
        for message in consumer.consume(500, 0.5):
            if message.error() is None:
                got.append(message)
    return got


def test_round_trip_keeps_keys_and_partitions_as_java_producers_do(
    kafka_settings: KafkaSettings, make_topic: Callable[..., str]
) -> None:
    topic = make_topic("roundtrip", partitions=4)
    producer = make_producer(kafka_settings)
    keys = [f"req-{i}".encode() for i in range(200)]

    for key in keys:
        producer.produce(topic, key=key, value=b'{"v":1}')
    assert producer.flush(30) == 0
    consumer = make_consumer(kafka_settings, f"g-{topic}")
    consumer.subscribe([topic])
    got = drain(consumer, len(keys))
    consumer.close()

    assert sorted(m.key() for m in got) == sorted(keys)
    assert all(m.partition() == java_partition(m.key(), 4) for m in got)


def test_aborted_transaction_is_invisible_to_read_committed_consumers(
    kafka_settings: KafkaSettings, make_topic: Callable[..., str]
) -> None:
    topic = make_topic("txn")
    producer = make_producer(kafka_settings, transactional_id=f"tx-{topic}")
    producer.init_transactions()

    producer.begin_transaction()
    producer.produce(topic, key=b"a", value=b"aborted")
    producer.abort_transaction()
    producer.begin_transaction()
    producer.produce(topic, key=b"b", value=b"committed")
    producer.commit_transaction()

    consumer = make_consumer(kafka_settings, f"g-{topic}")
    consumer.assign([TopicPartition(topic, 0, 0)])
    got = drain(consumer, 2, timeout_s=8)
    consumer.close()
    assert [m.value() for m in got] == [b"committed"]


def test_product_murmur2_matches_kafka_vectors_and_the_reference() -> None:
    from stream_workers.kafka.partitioning import murmur2 as product_murmur2
    from stream_workers.kafka.partitioning import partition_for

    # Kafka's own test vectors (signed 32-bit results of Utils.murmur2).
    vectors = {b"21": -973932308, b"foobar": -790332482, b"abc": 479470107}
    signed = {
        k: product_murmur2(k) - ((product_murmur2(k) >> 31) << 32) for k in vectors
    }

    assert signed == vectors
    keys = [f"req-{i}".encode() for i in range(500)] + [b"", b"a", "é".encode()]
    assert all(partition_for(k, 7) == java_partition(k, 7) for k in keys)
