"""The consume-transform-produce loop on Kafka transactions, shared by the workers.

Each batch runs in one transaction: the processor's outputs, its changelog records,
the dead letters and the consumed offsets are committed together, so a crash at any
point yields neither a lost nor a duplicated output. The processor applies its
local state changes only in :meth:`Processor.committed`, after the commit.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Literal, Protocol, TypeVar

from confluent_kafka import (
    Consumer,
    KafkaError,
    KafkaException,
    Message,
    Producer,
    TopicPartition,
)
from pydantic import BaseModel

from stream_workers.errors import DecodeError, RecordError, TransactionError
from stream_workers.kafka.dlq import dead_letter_headers
from stream_workers.kafka.metrics import LoopMetrics
from stream_workers.kafka.records import coordinates
from stream_workers.messages.codec import decode

__all__ = ["ErrorPolicy", "Output", "Processor", "TransactionalLoop", "StopFlag"]

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

ErrorPolicy = Literal["dead-letter", "stop"]


class Processor(Protocol):
    """What a worker plugs into the loop."""

    def assign(self, partitions: list[TopicPartition]) -> None:
        """Restore the state of newly assigned partitions (blocking)."""

    def revoke(self, partitions: list[TopicPartition]) -> None:
        """Release the state of revoked partitions."""

    def process(self, messages: list[Message], out: Output) -> None:
        """Transform one batch; produce through ``out``; change no local state yet."""

    def committed(self) -> None:
        """The batch's transaction committed: apply pending local state changes."""

    def aborted(self) -> None:
        """The batch's transaction aborted: drop pending local state changes."""


class Output:
    """The producing side of one batch's transaction, with the error policy."""

    def __init__(
        self,
        producer: Producer,
        worker: str,
        policy: ErrorPolicy,
        metrics: LoopMetrics,
    ) -> None:
        self._producer = producer
        self._worker = worker
        self._policy = policy
        self._metrics = metrics

    def produce(
        self,
        topic: str,
        value: bytes | None,
        *,
        key: bytes | str | None = None,
        partition: int | None = None,
        headers: list[tuple[str, bytes]] | None = None,
        on_delivery: Callable[[KafkaError | None, Message], None] | None = None,
    ) -> None:
        """Produce within the open transaction; waits while the local queue is full."""
        kwargs: dict[str, Any] = {"key": key, "value": value}
        if partition is not None:
            kwargs["partition"] = partition
        if headers:
            kwargs["headers"] = headers
        if on_delivery is not None:
            kwargs["on_delivery"] = on_delivery
        while True:
            try:
                self._producer.produce(topic, **kwargs)
                return
            except BufferError:
                self._producer.poll(0.05)

    def decode(self, model: type[M], message: Message) -> M | None:
        """Decode a record into a message model, or reject it and return None."""
        topic, partition, offset = coordinates(message)
        try:
            return decode(
                model, message.value(), topic=topic, partition=partition, offset=offset
            )
        except DecodeError as exc:
            self.reject(message, exc)
            return None

    def reject(self, message: Message, error: RecordError) -> None:
        """Apply the error policy to a bad record: dead-letter it, or stop."""
        error.at(*coordinates(message))
        if self._policy == "stop":
            raise error
        self.produce(
            f"{message.topic()}.dlq",
            message.value(),
            key=message.key(),
            headers=dead_letter_headers(message, error, self._worker),
        )
        self._metrics.dead_letters.labels(
            self._worker, message.topic(), type(error).__name__
        ).inc()
        logger.warning(
            "record dead-lettered",
            extra={
                "worker": self._worker,
                "topic": message.topic(),
                "partition": message.partition(),
                "offset": message.offset(),
                "error_class": type(error).__name__,
                "reason": str(error),
            },
        )


class StopFlag:
    """Set by SIGTERM / SIGINT (or by a test); the loop finishes its batch and exits."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def __bool__(self) -> bool:
        return self._event.is_set()

    @contextmanager
    def on_signals(self) -> Iterator[StopFlag]:
        """Install SIGTERM/SIGINT handlers that only set the flag."""
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        previous = {
            sig: signal.signal(sig, lambda *_: self.set())
            for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            yield self
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


class TransactionalLoop:
    """Batch consume, transform, produce, send offsets, commit; abort and rewind."""

    def __init__(
        self,
        *,
        worker: str,
        consumer: Consumer,
        producer: Producer,
        processor: Processor,
        topics: list[str],
        metrics: LoopMetrics,
        policy: ErrorPolicy = "dead-letter",
        batch_size: int = 500,
        poll_timeout_s: float = 0.5,
        on_tick: Callable[[], None] | None = None,
        on_ready: Callable[[bool], None] | None = None,
    ) -> None:
        self.worker = worker
        self.consumer = consumer
        self.producer = producer
        self.processor = processor
        self.topics = topics
        self.metrics = metrics
        self.batch_size = batch_size
        self.poll_timeout_s = poll_timeout_s
        self._output = Output(producer, worker, policy, metrics)
        self._on_tick = on_tick or (lambda: None)
        self._on_ready = on_ready or (lambda ready: None)
        self._assigned: set[tuple[str, int]] = set()

    def run(self, stop: StopFlag) -> None:
        """Run until ``stop`` is set; the exit path always commits and closes."""
        self.producer.init_transactions()
        self.consumer.subscribe(
            self.topics, on_assign=self._assign, on_revoke=self._revoke
        )
        try:
            while not stop:
                self._on_tick()
                messages = self.consumer.consume(self.batch_size, self.poll_timeout_s)
                records = [m for m in messages if self._usable(m)]
                if records:
                    self._run_batch(records)
        finally:
            self._on_ready(False)
            self.consumer.close()
            self.producer.flush(10)

    def _run_batch(self, records: list[Message]) -> None:
        started = time.perf_counter()
        self.producer.begin_transaction()
        try:
            self.processor.process(records, self._output)
            self.producer.send_offsets_to_transaction(
                _next_offsets(records), self.consumer.consumer_group_metadata()
            )
            self._commit()
        except KafkaException as exc:
            self._abort_and_rewind(records, exc)
            return
        self.producer.poll(0)  # serve the batch's delivery reports
        self.processor.committed()
        self.metrics.commit_seconds.labels(self.worker).observe(
            time.perf_counter() - started
        )
        for (topic, _), count in _count_by_partition(records).items():
            self.metrics.consumed.labels(self.worker, topic).inc(count)

    def _commit(self) -> None:
        while True:
            try:
                self.producer.commit_transaction()
                return
            except KafkaException as exc:
                if exc.args[0].retriable():
                    continue
                raise

    def _abort_and_rewind(self, records: list[Message], exc: KafkaException) -> None:
        error: KafkaError = exc.args[0]
        if error.fatal() or not error.txn_requires_abort():
            self.processor.aborted()
            raise TransactionError(
                f"transaction failed fatally ({error.name()}): {error.str()}; "
                "another instance may share this transactional id"
            ) from exc
        self.producer.abort_transaction()
        self.processor.aborted()
        self.metrics.aborts.labels(self.worker).inc()
        logger.warning(
            "transaction aborted, rewinding",
            extra={"worker": self.worker, "error": error.name()},
        )
        for topic, partition, offset in _first_offsets(records):
            if (topic, partition) in self._assigned:
                self.consumer.seek(TopicPartition(topic, partition, offset))

    def _usable(self, message: Message) -> bool:
        error = message.error()
        if error is None:
            return True
        if error.fatal():
            raise TransactionError(f"consumer failed fatally: {error.str()}")
        logger.warning(
            "consumer error", extra={"worker": self.worker, "error": error.str()}
        )
        return False

    def _assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        self._on_ready(False)
        started = time.perf_counter()
        self.processor.assign(partitions)
        self._assigned |= {(p.topic, p.partition) for p in partitions}
        self.metrics.restore_seconds.labels(self.worker).observe(
            time.perf_counter() - started
        )
        logger.info(
            "partitions assigned",
            extra={
                "worker": self.worker,
                "partitions": sorted(f"{p.topic}-{p.partition}" for p in partitions),
            },
        )
        self._on_ready(True)

    def _revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        self.processor.revoke(partitions)
        self._assigned -= {(p.topic, p.partition) for p in partitions}
        logger.info(
            "partitions revoked",
            extra={
                "worker": self.worker,
                "partitions": sorted(f"{p.topic}-{p.partition}" for p in partitions),
            },
        )


def _count_by_partition(records: list[Message]) -> dict[tuple[str, int], int]:
    counts: dict[tuple[str, int], int] = {}
    for m in records:
        topic, partition, _ = coordinates(m)
        counts[(topic, partition)] = counts.get((topic, partition), 0) + 1
    return counts


def _next_offsets(records: list[Message]) -> list[TopicPartition]:
    last: dict[tuple[str, int], int] = {}
    for m in records:
        topic, partition, offset = coordinates(m)
        last[(topic, partition)] = max(last.get((topic, partition), -1), offset)
    return [TopicPartition(t, p, o + 1) for (t, p), o in last.items()]


def _first_offsets(records: list[Message]) -> list[tuple[str, int, int]]:
    first: dict[tuple[str, int], int] = {}
    for m in records:
        topic, partition, offset = coordinates(m)
        first[(topic, partition)] = min(first.get((topic, partition), offset), offset)
    return [(t, p, o) for (t, p), o in first.items()]
