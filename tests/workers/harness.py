"""Run workers in threads against the real broker, and read topics back."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from confluent_kafka import Message, TopicPartition
from prometheus_client import CollectorRegistry

from stream_workers.config.settings import KafkaSettings
from stream_workers.kafka.clients import make_consumer, make_producer
from stream_workers.kafka.loop import StopFlag


@contextmanager
def running(
    main: Callable[..., None], *, ready_timeout_s: float = 60.0, **kwargs: Any
) -> Iterator[CollectorRegistry]:
    """Run a worker's ``main`` in a thread until the block ends; yield its registry."""
    stop = StopFlag()
    registry = CollectorRegistry()
    errors: list[BaseException] = []
    started = threading.Event()

    def target() -> None:
        try:
            main(
                stop=stop,
                registry=registry,
                on_started=lambda port: started.set(),
                **kwargs,
            )
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
            started.set()

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    started.wait(ready_timeout_s)
    try:
        yield registry
    finally:
        stop.set()
        thread.join(60)
    if errors:
        raise errors[0]


def produce(
    settings: KafkaSettings,
    topic: str,
    records: list[tuple[str | None, bytes | dict[str, Any]]],
    *,
    partition: int | None = None,
) -> None:
    """Produce (key, value) records in order; dict values are JSON-encoded."""
    producer = make_producer(settings)
    for key, value in records:
        raw = value if isinstance(value, bytes) else orjson.dumps(value)
        kwargs: dict[str, Any] = {"key": key, "value": raw}
        if partition is not None:
            kwargs["partition"] = partition
        producer.produce(topic, **kwargs)
    assert producer.flush(30) == 0


def read_all(
    settings: KafkaSettings,
    topic: str,
    *,
    expected: int | None = None,
    timeout_s: float = 30.0,
    quiet_s: float = 3.0,
) -> list[Message]:
    """Read a topic from the start with read_committed.

    Stops at ``expected`` records, or after ``quiet_s`` with nothing new once the
    topic has been read to its end, so that a test also sees surplus records.
    """
    consumer = make_consumer(settings, f"reader-{time.monotonic_ns()}")
    metadata = consumer.list_topics(topic, timeout=10).topics[topic]
    consumer.assign([TopicPartition(topic, p, 0) for p in metadata.partitions])
    got: list[Message] = []
    deadline = time.monotonic() + timeout_s
    last_new = time.monotonic()
    while time.monotonic() < deadline:
        batch = [m for m in consumer.consume(1000, 0.3) if m.error() is None]
        if batch:
            got += batch
            last_new = time.monotonic()
        elif expected is not None and len(got) >= expected:
            if time.monotonic() - last_new > 1.0:
                break
        elif expected is None and time.monotonic() - last_new > quiet_s:
            break
    consumer.close()
    return got


def wait_for(predicate: Callable[[], bool], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.1)


def values(messages: list[Message]) -> list[dict[str, Any]]:
    return [orjson.loads(m.value()) for m in messages]
