"""The join worker: predictions with their delayed labels, exactly once.

Consumes ``predictions`` and ``labels`` (co-partitioned by request ID) and produces
one ``OutcomeEvent`` per request to ``outcomes``, keyed by model. Pending entries
live in a local SQLite store backed by the compacted ``driftline.join-changelog``
topic, whose partition N holds the state of input partition N. Outputs, changelog
records and input offsets commit in one transaction; the local store changes only
after the commit.

Entry kinds in the store: ``p`` pending prediction, ``l`` early label, ``j`` a
joined marker and ``x`` an expired marker (both kept ``marker_ttl_s`` to recognise
duplicates and late labels), ``s`` the partition's two stream clocks.

Expiry runs on event time with one clock per input: the largest prediction time and
the largest label time seen in the partition. A prediction is declared unlabelled
once the *label* clock passes its deadline (the labels have moved on without it),
or, should labels stop altogether, once the prediction clock passes the deadline
plus another TTL. An early label expires once the *prediction* clock passes its
deadline. Reading one topic ahead of the other (a backlog, where small label
records arrive in larger fetches) therefore expires nothing prematurely.

Limits: an idle partition expires nothing; a producer that does not partition by
murmur2 of the request ID never gets its pairs joined.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import orjson
from confluent_kafka import KafkaError, Message, TopicPartition

from stream_workers.config.settings import (
    JoinSettings,
    KafkaSettings,
    TopicSettings,
)
from stream_workers.errors import DecodeError, InvalidInputError
from stream_workers.kafka.admin_checks import require_copartitioned
from stream_workers.kafka.loop import Output
from stream_workers.kafka.partitioning import partition_for
from stream_workers.kafka.records import coordinates, partition_of
from stream_workers.messages.models import LabelEvent, PredictionEvent
from stream_workers.state.changelog import read_changelog
from stream_workers.state.store import Entry, PartitionStore
from stream_workers.workers.join_metrics import JoinMetrics
from stream_workers.workers.join_rules import (
    decode_state,
    encode_state,
    joined_outcome,
    label_state,
    prediction_state,
    unlabeled_outcome,
)
from stream_workers.workers.runtime import WorkerContext, run_worker

__all__ = ["JoinProcessor", "main"]

logger = logging.getLogger(__name__)

_FOREVER = 2**62
_SEP = "\x1f"


class JoinProcessor:
    """The join's batch logic, plugged into the transactional loop."""

    def __init__(
        self,
        *,
        kafka: KafkaSettings,
        topics: TopicSettings,
        settings: JoinSettings,
        store: PartitionStore,
        metrics: JoinMetrics,
        partitions: int = 0,
    ) -> None:
        self.kafka = kafka
        self.partitions = partitions
        self.settings = settings
        self.store = store
        self.metrics = metrics
        self.predictions = topics.name("predictions")
        self.labels = topics.name("labels")
        self.outcomes = topics.name("outcomes")
        self.late_labels = topics.name("late_labels")
        self.changelog = topics.changelog("join")
        self._ttl_p = int(settings.prediction_ttl_s * 1000)
        self._ttl_l = int(settings.label_ttl_s * 1000)
        self._ttl_m = int(settings.marker_ttl_s * 1000)
        self._clocks: dict[int, list[int]] = {}
        self._pending: dict[int, dict[str, int]] = {}
        self._pending_delta: dict[tuple[int, str], int] = {}
        self._owned: set[int] = set()
        self._counts: list[tuple[str, str]] = []
        self._delays: list[tuple[str, float]] = []
        self._out: Output | None = None

    # -- assignment ------------------------------------------------------------
    def assign(self, partitions: list[TopicPartition]) -> None:
        new = sorted({tp.partition for tp in partitions} - self._owned)
        if new:
            self._restore(new)
            self._owned.update(new)

    def revoke(self, partitions: list[TopicPartition]) -> None:
        for part in {tp.partition for tp in partitions}:
            self._owned.discard(part)
            self._clocks.pop(part, None)
            self._pending.pop(part, None)

    def _restore(self, parts: list[int]) -> None:
        """Bring the local store up to date with the changelog, from checkpoints."""
        started = time.perf_counter()
        starts: dict[int, int | None] = {}
        for part in parts:
            checkpoint = self.store.checkpoint(part)
            age = time.time() - checkpoint[1] if checkpoint else None
            if (
                checkpoint is None
                or age is None
                or age > self.settings.checkpoint_max_age_s
            ):
                # Tombstones may have been compacted away since: restore in full.
                self.store.drop_partition(part)
                starts[part] = None
            else:
                starts[part] = checkpoint[0]
        last = {p: (o if o is not None else 0) for p, o in starts.items()}

        def records() -> Iterator[tuple[int, str, str, Entry | None]]:
            for part, key, value, offset in read_changelog(
                self.kafka, self.changelog, starts
            ):
                last[part] = offset + 1
                kind, _, ident = key.decode().partition(_SEP)
                if value is None:
                    yield part, kind, ident, None
                else:
                    expires, body = decode_state(value)
                    yield part, kind, ident, Entry(kind, ident, expires, body)

        applied = self.store.load(records())
        for part in parts:
            self.store.set_checkpoint(part, last[part])
            self._clocks[part] = self._stored_clocks(part)
            counts = self.store.count(part)
            self._pending[part] = {"p": counts.get("p", 0), "l": counts.get("l", 0)}
        self.store.discard()
        logger.info(
            "join state restored",
            extra={
                "partitions": parts,
                "from_offsets": starts,
                "records": applied,
                "seconds": round(time.perf_counter() - started, 3),
            },
        )

    # -- the batch -------------------------------------------------------------
    def process(self, messages: list[Message], out: Output) -> None:
        self._out = out
        self._prefetch(messages)
        for message in messages:
            part = partition_of(message)
            if message.topic() == self.predictions:
                self._on_prediction(message, part)
            else:
                self._on_label(message, part)
        for part in {partition_of(m) for m in messages}:
            self._expire(part)
            clocks = self._clocks[part]
            self._write(part, Entry("s", "", _FOREVER, b"%d,%d" % tuple(clocks)))
        self._out = None

    def _prefetch(self, messages: list[Message]) -> None:
        by_part: dict[int, list[str]] = {}
        for m in messages:
            key = m.key()
            if key:
                by_part.setdefault(partition_of(m), []).append(
                    key.decode("utf-8", "replace")
                )
        for part, keys in by_part.items():
            self.store.prefetch(part, keys)

    def _decode(self, model: Any, message: Message) -> Any:
        assert self._out is not None
        event = self._out.decode(model, message)
        if event is None:
            return None
        key = message.key()
        expected = (
            partition_for(key, self.partitions) if key and self.partitions else None
        )
        if expected is not None and expected != message.partition():
            self._out.reject(
                message,
                DecodeError(
                    f"record is on partition {message.partition()} but its key hashes "
                    f"to partition {expected}; produce with the Java-compatible "
                    "murmur2 partitioner (librdkafka: murmur2_random), or its "
                    "prediction and label never meet"
                ),
            )
            return None
        if key is not None and key.decode("utf-8", "replace") != event.request_id:
            self._out.reject(
                message,
                DecodeError(
                    f"record key {key!r} differs from request_id "
                    f"{event.request_id!r}; key records by request ID"
                ),
            )
            return None
        return event

    def _stored_clocks(self, part: int) -> list[int]:
        stream = self.store.get(part, "s", "")
        if stream is None:
            return [0, 0]
        return [int(v) for v in stream.value.split(b",")]

    def _advance(self, part: int, side: int, event_time_ms: int) -> int:
        """Move one input's clock (0 predictions, 1 labels); return the later one."""
        clocks = self._clocks.setdefault(part, [0, 0])
        clocks[side] = max(clocks[side], event_time_ms)
        return max(clocks)

    def _on_prediction(self, message: Message, part: int) -> None:
        event: PredictionEvent | None = self._decode(PredictionEvent, message)
        if event is None:
            return
        now = self._advance(part, 0, event.event_time_ms)
        rid = event.request_id
        seen = (
            self.store.get(part, "j", rid)
            or self.store.get(part, "x", rid)
            or self.store.get(part, "p", rid)
        )
        if seen is not None:
            owner = _owner(seen)
            if owner != event.model_id:
                self._reject_shared_id(message, rid, owner)
                return
            self.metrics.duplicates.labels("prediction").inc()
            return
        state = prediction_state(event, store_features=self.settings.store_features)
        early = self.store.get(part, "l", rid)
        if early is not None:
            self._delete(part, "l", rid)
            self._join(
                part,
                orjson.loads(state),
                orjson.loads(early.value),
                now,
                "label_before",
            )
            return
        self._write(part, Entry("p", rid, event.event_time_ms + self._ttl_p, state))

    def _on_label(self, message: Message, part: int) -> None:
        event: LabelEvent | None = self._decode(LabelEvent, message)
        if event is None:
            return
        now = self._advance(part, 1, event.event_time_ms)
        rid = event.request_id
        if self.store.get(part, "j", rid) or self.store.get(part, "l", rid):
            self.metrics.duplicates.labels("label").inc()
            return
        if self.store.get(part, "x", rid):
            self._late(message)
            return
        pending = self.store.get(part, "p", rid)
        if pending is None:
            self._write(
                part,
                Entry("l", rid, event.event_time_ms + self._ttl_l, label_state(event)),
            )
            return
        prediction = orjson.loads(pending.value)
        if event.model_id is not None and event.model_id != prediction["model_id"]:
            self._reject_shared_id(message, rid, prediction["model_id"])
            return
        self._delete(part, "p", rid)
        if event.event_time_ms > pending.expires_ms:
            self._emit_unlabeled(part, prediction, now)
            self._late(message)
            return
        label = {"label": event.label, "label_time_ms": event.event_time_ms}
        self._join(part, prediction, label, now, "label_after")

    def _reject_shared_id(self, message: Message, rid: str, owner: str) -> None:
        assert self._out is not None
        self._out.reject(
            message,
            InvalidInputError(
                f"request_id {rid!r} already belongs to model {owner!r}; request "
                "IDs must be unique across models (give shadow or challenger models "
                "their own request IDs, or their own topic prefix)"
            ),
        )

    def _join(
        self,
        part: int,
        prediction: dict[str, Any],
        label: dict[str, Any],
        now: int,
        order: str,
    ) -> None:
        assert self._out is not None
        outcome = joined_outcome(prediction, label)
        self._out.produce(
            self.outcomes, orjson.dumps(outcome), key=prediction["model_id"]
        )
        marker = prediction["model_id"].encode()
        self._write(
            part, Entry("j", prediction["request_id"], now + self._ttl_m, marker)
        )
        self._counts.append((prediction["model_id"], order))
        self._delays.append((prediction["model_id"], outcome["label_delay_ms"] / 1000))

    def _emit_unlabeled(self, part: int, prediction: dict[str, Any], now: int) -> None:
        assert self._out is not None
        outcome = unlabeled_outcome(prediction)
        self._out.produce(
            self.outcomes, orjson.dumps(outcome), key=prediction["model_id"]
        )
        marker = prediction["model_id"].encode()
        self._write(
            part, Entry("x", prediction["request_id"], now + self._ttl_m, marker)
        )
        self._counts.append((prediction["model_id"], "unlabeled"))
        self._counts.append(("", "expired_prediction"))

    def _late(self, message: Message) -> None:
        assert self._out is not None
        self._out.produce(self.late_labels, message.value(), key=message.key())
        self._counts.append(("", "late_label"))

    def _expire(self, part: int) -> None:
        predictions_at, labels_at = self._clocks[part]
        now = max(predictions_at, labels_at)
        for entry in list(
            self.store.expired(part, "p", max(labels_at, predictions_at - self._ttl_p))
        ):
            self._delete(part, "p", entry.key)
            self._emit_unlabeled(part, orjson.loads(entry.value), now)
        for entry in list(self.store.expired(part, "l", predictions_at)):
            self._delete(part, "l", entry.key)
            self._counts.append(("", "expired_label"))
        for kind in "jx":
            for entry in list(self.store.expired(part, kind, now)):
                self._delete(part, kind, entry.key)

    def _write(self, part: int, entry: Entry) -> None:
        if entry.kind in "pl":
            ident = (part, entry.kind)
            self._pending_delta[ident] = self._pending_delta.get(ident, 0) + 1
        self.store.put(part, entry)
        self._changelog(
            part,
            f"{entry.kind}{_SEP}{entry.key}",
            encode_state(entry.expires_ms, entry.value),
        )

    def _delete(self, part: int, kind: str, key: str) -> None:
        if kind in "pl":
            ident = (part, kind)
            self._pending_delta[ident] = self._pending_delta.get(ident, 0) - 1
        self.store.delete(part, kind, key)
        self._changelog(part, f"{kind}{_SEP}{key}", None)

    def _changelog(self, part: int, key: str, value: bytes | None) -> None:
        assert self._out is not None
        self._out.produce(
            self.changelog,
            value,
            key=key.encode(),
            partition=part,
            on_delivery=self._delivered,
        )

    def _delivered(self, error: KafkaError | None, message: Message) -> None:
        """Delivery report of a changelog record: advance the local checkpoint."""
        if error is None:
            _, part, offset = coordinates(message)
            self.store.note_offset(part, offset + 1)

    # -- after the transaction -------------------------------------------------
    def committed(self) -> None:
        self.store.apply()
        for model, what in self._counts:
            if what == "expired_prediction":
                self.metrics.expired.labels("prediction").inc()
            elif what == "expired_label":
                self.metrics.expired.labels("label").inc()
            elif what == "late_label":
                self.metrics.late_labels.inc()
            else:
                self.metrics.outcomes.labels(model, what).inc()
        for model, seconds in self._delays:
            self.metrics.label_delay.labels(model).observe(max(seconds, 0.0))
        self._counts.clear()
        self._delays.clear()
        for (part, kind), delta in self._pending_delta.items():
            if part in self._pending:
                self._pending[part][kind] += delta
        self._pending_delta.clear()
        for kind, side in (("p", "prediction"), ("l", "label")):
            total = sum(c[kind] for c in self._pending.values())
            self.metrics.pending.labels(side).set(total)

    def aborted(self) -> None:
        self.store.discard()
        self._pending_delta.clear()
        self._counts.clear()
        self._delays.clear()
        for part in list(self._clocks):
            self._clocks[part] = self._stored_clocks(part)
        self.store.discard()

    def close(self) -> None:
        self.store.close()


def build(
    context: WorkerContext, settings: JoinSettings | None = None
) -> JoinProcessor:
    """Check the topic layout and open this instance's store."""
    partitions = require_copartitioned(context.kafka, context.topics)
    path = Path(context.worker.state_dir) / "join" / context.worker.instance_id
    return JoinProcessor(
        kafka=context.kafka,
        topics=context.topics,
        settings=settings or JoinSettings(),
        store=PartitionStore(path / f"{context.topics.changelog('join')}.sqlite"),
        metrics=JoinMetrics.create(context.registry),
        partitions=partitions,
    )


def input_topics(topics: TopicSettings) -> list[str]:
    return [topics.name("predictions"), topics.name("labels")]


def main(settings: JoinSettings | None = None, **overrides: Any) -> None:
    """Run the join worker until SIGTERM (``driftline worker join``)."""
    run_worker("join", partial(build, settings=settings), input_topics, **overrides)


def _owner(entry: Entry) -> str:
    """The model a stored entry belongs to: pending predictions hold it in their
    JSON, joined and expired markers hold it as their value."""
    if entry.kind == "p":
        return str(orjson.loads(entry.value)["model_id"])
    return entry.value.decode()
