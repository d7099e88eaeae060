"""The transactional loop: poison records, DLQ headers, committed offsets."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import orjson
import pytest
from confluent_kafka import Message, TopicPartition
from prometheus_client import CollectorRegistry

from stream_workers.config.settings import KafkaSettings
from stream_workers.errors import DecodeError
from stream_workers.kafka.clients import make_consumer, make_producer
from stream_workers.kafka.loop import Output, StopFlag, TransactionalLoop
from stream_workers.kafka.metrics import LoopMetrics

pytestmark = pytest.mark.kafka


class Doubler:
    """Decodes {"id": ..., "pred": ...} and emits it to an output topic."""

    def __init__(self, output_topic: str) -> None:
        self.output_topic = output_topic
        self.updates: list[str] = []
        self._pending: list[str] = []

    def assign(self, partitions: list[TopicPartition]) -> None:
        pass

    def revoke(self, partitions: list[TopicPartition]) -> None:
        pass

    def process(self, messages: list[Message], out: Output) -> None:
        for message in messages:
            try:
                body = orjson.loads(message.value())
            except orjson.JSONDecodeError as exc:
                out.reject(message, DecodeError(f"value is not JSON: {exc}"))
                continue
            self._pending.append(body["id"])
            out.produce(self.output_topic, message.value(), key=body["id"])

    def committed(self) -> None:
        self.updates += self._pending
        self._pending = []

    def aborted(self) -> None:
        self._pending = []


def test_poison_record_goes_to_the_dlq_and_its_neighbours_are_processed(
    kafka_settings: KafkaSettings, make_topic: Callable[..., str]
) -> None:
    source = make_topic("predictions")
    dlq = make_topic(name=f"{source}.dlq")
    sink = make_topic("outcomes")
    producer = make_producer(kafka_settings)
    for value in (
        b'{"id":"p1","pred":1,"proba":0.91,"ts":1000}',
        b"\x00\xffnot-json",
        b'{"id":"p2","pred":0,"proba":0.40,"ts":2000}',
    ):
        producer.produce(source, key=b"k", value=value, partition=0)
    producer.flush(10)
    registry = CollectorRegistry()
    metrics = LoopMetrics.create(registry)
    processor = Doubler(sink)
    group = f"g-{source}"
    loop = TransactionalLoop(
        worker="test",
        consumer=make_consumer(kafka_settings, group),
        producer=make_producer(kafka_settings, transactional_id=f"tx-{source}"),
        processor=processor,
        topics=[source],
        metrics=metrics,
        poll_timeout_s=0.2,
    )
    stop = StopFlag()

    thread = threading.Thread(target=loop.run, args=(stop,))
    thread.start()
    deadline = time.monotonic() + 30
    while len(processor.updates) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    thread.join(30)

    assert processor.updates == ["p1", "p2"]
    checker = make_consumer(kafka_settings, group)
    committed = checker.committed([TopicPartition(source, 0)], timeout=10)
    assert committed[0].offset == 3
    checker.close()
    reader = make_consumer(kafka_settings, f"r-{source}")
    reader.assign([TopicPartition(dlq, 0, 0), TopicPartition(sink, 0, 0)])
    got: dict[str, list[Message]] = {dlq: [], sink: []}
    deadline = time.monotonic() + 15
    while (len(got[dlq]) < 1 or len(got[sink]) < 2) and time.monotonic() < deadline:
        for m in reader.consume(100, 0.3):
            if m.error() is None:
                got[m.topic()].append(m)
    reader.close()
    assert [m.key() for m in got[sink]] == [b"p1", b"p2"]
    [dead] = got[dlq]
    headers = dict(dead.headers())
    assert dead.value() == b"\x00\xffnot-json"
    assert dead.key() == b"k"
    assert headers["driftline.source.topic"] == source.encode()
    assert headers["driftline.source.partition"] == b"0"
    assert headers["driftline.source.offset"] == b"1"
    assert headers["driftline.error.class"] == b"DecodeError"
    assert b"not JSON" in headers["driftline.error.message"]
    dlq_total = registry.get_sample_value(
        "driftline_dlq_records_total",
        {"worker": "test", "topic": source, "error": "DecodeError"},
    )
    assert dlq_total == 1.0
