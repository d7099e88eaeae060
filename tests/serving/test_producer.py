"""The event loggers against the real broker: keys, partitions, counts, full queues."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import pytest
from confluent_kafka import Consumer, Message
from prometheus_client import CollectorRegistry

from stream_workers.errors import DecodeError
from stream_workers.messages import LabelEvent, PredictionEvent, decode
from stream_workers.serving import LabelLogger, PredictionLogger, ProducerMetrics

# A loopback port nothing listens on: the broker is unreachable but nearby.
UNREACHABLE = "127.0.0.1:1"


def murmur2(data: bytes) -> int:
    """Kafka's murmur2 (seed 0x9747b28c), as an unsigned 32-bit value."""
    m, h = 0x5BD1E995, (0x9747B28C ^ len(data)) & 0xFFFFFFFF
    body = len(data) - len(data) % 4
    for i in range(0, body, 4):
        k = int.from_bytes(data[i : i + 4], "little") * m & 0xFFFFFFFF
        k = (k ^ (k >> 24)) * m & 0xFFFFFFFF
        h = (h * m & 0xFFFFFFFF) ^ k
    tail = data[body:]
    if tail:
        for shift, byte in reversed(list(enumerate(tail))):
            h ^= byte << (8 * shift)
        h = h * m & 0xFFFFFFFF
    h = (h ^ (h >> 13)) * m & 0xFFFFFFFF
    return h ^ (h >> 15)


def java_partition(key: bytes, partitions: int) -> int:
    return (murmur2(key) & 0x7FFFFFFF) % partitions


def consume_all(bootstrap: str, topic: str, expected: int) -> list[Message]:
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"serving-test-{uuid.uuid4().hex[:8]}",
            "auto.offset.reset": "earliest",
            "isolation.level": "read_committed",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe([topic])
    records: list[Message] = []
    deadline = time.monotonic() + 30
    while len(records) < expected and time.monotonic() < deadline:
        records.extend(m for m in consumer.consume(500, 0.5) if m.error() is None)
    consumer.close()
    return records


def prediction(i: int) -> PredictionEvent:
    return PredictionEvent(
        request_id=f"req-{i}",
        model_id="elec2",
        event_time_ms=1_700_000_000_000 + i,
        features={"nswprice": 0.05, "period": i / 48},
        prediction="UP",
        probabilities={"UP": 0.8, "DOWN": 0.2},
    )


def test_murmur2_reference_matches_kafka_test_vectors() -> None:
    vectors = {b"21": -973932308, b"foobar": -790332482, b"abc": 479470107}

    signed = {k: murmur2(k) - (1 << 32) * (murmur2(k) >> 31) for k in vectors}

    assert signed == vectors


@pytest.mark.kafka
def test_predictions_and_labels_land_where_java_murmur2_puts_their_request_id(
    kafka_bootstrap: str, make_topic: Callable[..., str]
) -> None:
    partitions, count = 6, 300
    topics = make_topic("predictions", partitions), make_topic("labels", partitions)
    registry = CollectorRegistry()
    metrics = ProducerMetrics(registry)

    with (
        PredictionLogger(kafka_bootstrap, topic=topics[0], metrics=metrics) as p_log,
        LabelLogger(kafka_bootstrap, topic=topics[1], metrics=metrics) as l_log,
    ):
        for i in range(count):
            assert p_log.log(prediction(i))
            assert l_log.log(
                {"request_id": f"req-{i}", "event_time_ms": 1, "label": "UP"}
            )
    consumed = [consume_all(kafka_bootstrap, topic, count) for topic in topics]

    for topic, records in zip(topics, consumed, strict=True):
        keys = [r.key() for r in records]
        assert sorted(keys) == sorted(f"req-{i}".encode() for i in range(count))
        assert all(
            r.partition() == java_partition(r.key(), partitions) for r in records
        )
        assert len({r.partition() for r in records}) == partitions
        produced = {"topic": topic}
        value = registry.get_sample_value(
            "driftline_serving_records_produced_total", produced
        )
        assert value == count
    first = min(consumed[0], key=lambda r: r.offset())
    assert decode(PredictionEvent, first.value()).request_id == first.key().decode()
    assert all(decode(LabelEvent, r.value()).label == "UP" for r in consumed[1])


@pytest.mark.kafka
def test_invalid_mapping_is_refused_before_it_reaches_kafka(
    kafka_bootstrap: str, make_topic: Callable[..., str]
) -> None:
    with PredictionLogger(kafka_bootstrap, topic=make_topic("predictions")) as log:
        with pytest.raises(DecodeError, match="PredictionEvent is invalid"):
            log.log({"request_id": "r", "model_id": "m", "event_time_ms": 1})

        assert log.pending == 0


@pytest.mark.kafka
def test_full_queue_drops_and_counts_at_once_then_close_counts_the_rest_failed() -> (
    None
):
    registry = CollectorRegistry()
    log = PredictionLogger(
        UNREACHABLE,
        metrics=ProducerMetrics(registry),
        max_queued_messages=5,
        on_full="drop",
        flush_timeout_s=0.2,
    )

    started = time.perf_counter()
    accepted = [log.log(prediction(i)) for i in range(20)]
    elapsed = time.perf_counter() - started
    purged = log.close()

    labels = {"topic": "predictions"}
    assert accepted == [True] * 5 + [False] * 15
    assert elapsed < 0.5
    assert purged == 5
    assert (
        registry.get_sample_value("driftline_serving_records_dropped_total", labels)
        == 15
    )
    assert (
        registry.get_sample_value("driftline_serving_delivery_failures_total", labels)
        == 5
    )


@pytest.mark.kafka
def test_full_queue_blocks_up_to_the_timeout_then_drops() -> None:
    registry = CollectorRegistry()
    log = PredictionLogger(
        UNREACHABLE,
        metrics=ProducerMetrics(registry),
        max_queued_messages=5,
        on_full="block",
        block_timeout_s=0.1,
        flush_timeout_s=0.2,
    )
    for i in range(5):
        log.log(prediction(i))

    started = time.perf_counter()
    accepted = log.log(prediction(5))
    waited = time.perf_counter() - started
    log.close()

    assert accepted is False
    assert 0.1 <= waited < 0.3
    assert (
        registry.get_sample_value(
            "driftline_serving_records_dropped_total", {"topic": "predictions"}
        )
        == 1
    )


def test_settings_that_break_co_partitioning_are_refused() -> None:
    with pytest.raises(ValueError, match="partitioner"):
        PredictionLogger(UNREACHABLE, config={"partitioner": "consistent_random"})
