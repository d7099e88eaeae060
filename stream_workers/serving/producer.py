"""Non-blocking producers of prediction and label events for serving systems.

A serving process calls :meth:`PredictionLogger.log` on its request path. The call
encodes the event, hands it to librdkafka's in-memory queue and returns; delivery
happens on librdkafka's own threads. The queue is bounded by ``max_queued_messages``
and, when it is full, the logger either drops the record at once (``"drop"``) or
waits up to ``block_timeout_s`` for room and then drops it (``"block"``). Either
way the caller never waits longer than that and never sees a Kafka error: dropped
records and failed deliveries are counted in Prometheus instead.

Records are keyed by ``request_id`` and partitioned with ``murmur2_random``, which
hashes keys as the Java client does, so that ``predictions`` and ``labels`` stay
co-partitioned for the join worker.

Known limits: a record accepted into the queue is lost if the process dies before
librdkafka delivers it; :meth:`close` waits ``flush_timeout_s`` and then purges
(and counts as failed) whatever is left.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Generic, Literal, TypeVar

import orjson
from confluent_kafka import KafkaError, KafkaException, Message, Producer
from prometheus_client import CollectorRegistry, Counter
from pydantic import BaseModel, ValidationError

from stream_workers.config.settings import TopicSettings
from stream_workers.errors import DecodeError, RecordError
from stream_workers.messages import LabelEvent, PredictionEvent, encode, encode_dict

__all__ = [
    "LabelLogger",
    "PredictionLogger",
    "ProducerMetrics",
    "QueueFullPolicy",
]

logger = logging.getLogger(__name__)

QueueFullPolicy = Literal["drop", "block"]

E = TypeVar("E", PredictionEvent, LabelEvent)

# Settings the co-partitioning and the delivery guarantees depend on.
_FIXED_SETTINGS = frozenset(
    {
        "bootstrap.servers",
        "partitioner",
        "enable.idempotence",
        "queue.buffering.max.messages",
    }
)


class ProducerMetrics:
    """The serving producers' counters, registered once in ``registry``.

    Share one instance between the loggers of a process: the counters are
    labelled by ``topic``.
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        self.produced = Counter(
            "driftline_serving_records_produced",
            "Records the broker acknowledged.",
            ["topic"],
            registry=registry,
        )
        self.dropped = Counter(
            "driftline_serving_records_dropped",
            "Records dropped because the local queue was full.",
            ["topic"],
            registry=registry,
        )
        self.delivery_failures = Counter(
            "driftline_serving_delivery_failures",
            "Records librdkafka gave up delivering (timeout, purge, broker error).",
            ["topic"],
            registry=registry,
        )


class _EventLogger(Generic[E]):
    _event_type: type[E]
    _default_topic: str

    def __init__(
        self,
        bootstrap_servers: str,
        *,
        topic: str | None = None,
        metrics: ProducerMetrics | None = None,
        on_full: QueueFullPolicy = "drop",
        block_timeout_s: float = 0.05,
        max_queued_messages: int = 100_000,
        validate: bool = True,
        flush_timeout_s: float = 10.0,
        config: Mapping[str, Any] | None = None,
    ) -> None:
        extra_config = dict(config or {})
        if on_full not in ("drop", "block"):
            raise ValueError(f"on_full must be 'drop' or 'block', not {on_full!r}")
        if block_timeout_s < 0:
            raise ValueError("block_timeout_s must be >= 0")
        if max_queued_messages < 1:
            raise ValueError("max_queued_messages must be >= 1")
        fixed = sorted(_FIXED_SETTINGS & extra_config.keys())
        if fixed:
            raise ValueError(
                f"config must not set {fixed}: use the constructor arguments; "
                "the partitioner and idempotence are fixed"
            )

        # The default honours DRIFTLINE_TOPIC_PREFIX and the topic-name settings.
        self.topic = topic = topic or TopicSettings().name(self._default_topic)
        self._on_full = on_full
        self._block_timeout_s = block_timeout_s
        self._validate = validate
        self._flush_timeout_s = flush_timeout_s
        metrics = metrics or ProducerMetrics(CollectorRegistry())
        self._produced = metrics.produced.labels(topic=topic)
        self._dropped = metrics.dropped.labels(topic=topic)
        self._failed = metrics.delivery_failures.labels(topic=topic)
        self._dropping = False
        self._failing = False

        settings: dict[str, Any] = {
            "compression.type": "lz4",
            "linger.ms": 5,
            **extra_config,
            "bootstrap.servers": bootstrap_servers,
            "partitioner": "murmur2_random",
            "enable.idempotence": True,
            "queue.buffering.max.messages": max_queued_messages,
        }
        self._producer: Producer | None = Producer(settings)
        logger.info(
            "serving producer started",
            extra={"topic": topic, "on_full": on_full, "queue": max_queued_messages},
        )

    @property
    def pending(self) -> int:
        """Records accepted but not yet acknowledged or failed."""
        return len(self._producer) if self._producer is not None else 0

    def log(self, event: E | Mapping[str, Any]) -> bool:
        """Queue one event for delivery and return whether it was accepted.

        ``event`` is a message model or a plain mapping of its fields; a mapping
        is validated against the contract unless the logger was built with
        ``validate=False``. Raises :class:`DecodeError` when the event does not
        satisfy the contract, :class:`RecordError` when the client refuses the
        record (too large), and ``RuntimeError`` after :meth:`close`. Returns
        False when the queue-full policy dropped the record.
        """
        key, value = self._encode(event)
        return self._produce(key, value)

    def flush(self, timeout_s: float | None = None) -> int:
        """Wait for queued records to be delivered; return how many are left."""
        producer = self._require_open()
        return producer.flush(self._flush_timeout_s if timeout_s is None else timeout_s)

    def close(self) -> int:
        """Flush, purge what could not be delivered in time, and release the client.

        Returns the number of records purged (each also counted as a delivery
        failure). Closing twice is harmless.
        """
        if self._producer is None:
            return 0
        producer, left = self._producer, self._producer.flush(self._flush_timeout_s)

        if left:
            producer.purge()
            producer.flush(0)
            logger.warning(
                "serving records purged at close",
                extra={"topic": self.topic, "count": left},
            )
        producer.close()
        self._producer = None
        logger.info("serving producer closed", extra={"topic": self.topic})
        return left

    def __enter__(self) -> _EventLogger[E]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _require_open(self) -> Producer:
        if self._producer is None:
            raise RuntimeError(f"the logger for {self.topic!r} is closed")
        return self._producer

    def _encode(self, event: E | Mapping[str, Any]) -> tuple[str, bytes]:
        if isinstance(event, BaseModel):
            return event.request_id, encode(event)
        try:
            if self._validate:
                message = self._event_type.model_validate(event)
                return message.request_id, encode(message)
            return str(event["request_id"]), encode_dict(dict(event))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
                for err in exc.errors()[:3]
            )
            name = self._event_type.__name__
            raise DecodeError(
                f"{name} is invalid: {problems}; fix the event before logging it",
                topic=self.topic,
            ) from exc
        except (KeyError, TypeError, orjson.JSONEncodeError) as exc:
            raise DecodeError(
                "event has no request_id or is not JSON-encodable; "
                "pass a message model or validate=True",
                topic=self.topic,
            ) from exc

    def _produce(self, key: str, value: bytes) -> bool:
        producer = self._require_open()
        try:
            producer.produce(self.topic, value, key, on_delivery=self._on_delivery)
        except BufferError:
            if self._on_full == "drop" or not self._retry(producer, key, value):
                self._note_drop()
                return False
        except KafkaException as exc:
            raise RecordError(
                f"record refused by the Kafka client ({exc.args[0].name()}); "
                "check its size against message.max.bytes",
                topic=self.topic,
            ) from exc

        producer.poll(0)
        self._dropping = False
        return True

    def _retry(self, producer: Producer, key: str, value: bytes) -> bool:
        # Serving delivery reports is what frees room in librdkafka's queue.
        deadline = time.monotonic() + self._block_timeout_s
        while (remaining := deadline - time.monotonic()) > 0:
            producer.poll(min(remaining, 0.005))
            try:
                producer.produce(self.topic, value, key, on_delivery=self._on_delivery)
            except BufferError:
                continue
            return True
        return False

    def _note_drop(self) -> None:
        self._dropped.inc()
        if not self._dropping:
            self._dropping = True
            logger.warning(
                "serving queue full, dropping records",
                extra={"topic": self.topic, "on_full": self._on_full},
            )

    def _on_delivery(self, err: KafkaError | None, msg: Message) -> None:
        if err is None:
            self._produced.inc()
            if self._failing:
                self._failing = False
                logger.info("serving delivery recovered", extra={"topic": self.topic})
            return

        self._failed.inc()
        if not self._failing:
            self._failing = True
            logger.warning(
                "serving delivery failing",
                extra={"topic": self.topic, "error": err.name()},
            )


class PredictionLogger(_EventLogger[PredictionEvent]):
    """Produces :class:`PredictionEvent` records to ``predictions`` without blocking.

    Parameters: ``bootstrap_servers``; ``topic`` (default ``"predictions"``);
    ``metrics``, a :class:`ProducerMetrics` to count into; ``on_full``, the
    queue-full policy; ``block_timeout_s``, the longest a ``"block"`` call waits;
    ``max_queued_messages``, the queue bound; ``validate``, whether mappings are
    checked against the contract; ``flush_timeout_s``, used by :meth:`flush` and
    :meth:`close`; ``config``, extra librdkafka settings (TLS, SASL, linger).
    """

    _event_type = PredictionEvent
    _default_topic = "predictions"


class LabelLogger(_EventLogger[LabelEvent]):
    """Produces :class:`LabelEvent` records to ``labels`` without blocking.

    Takes the same arguments as :class:`PredictionLogger`.
    """

    _event_type = LabelEvent
    _default_topic = "labels"
