"""Per-key state objects (detectors, windows, references) checkpointed to a changelog.

The detector workers keep their state in memory, one object per key (a model,
version and segment), and write a pickled snapshot of each object they changed to
a compacted changelog topic in the same transaction as the alerts it produced. On
assignment the snapshots of the assigned partitions are read back.

The changelog is trusted like the cluster itself: unpickling runs code, so only the
workers may write to it (restrict it with ACLs on a shared cluster).
"""

from __future__ import annotations

import logging
import pickle
import time
import zlib
from collections.abc import Callable
from typing import Any

from confluent_kafka import KafkaError, Message

from stream_workers.config.settings import KafkaSettings
from stream_workers.errors import StateError
from stream_workers.kafka.loop import Output
from stream_workers.state.changelog import read_changelog

__all__ = ["SnapshotStore"]

logger = logging.getLogger(__name__)

_MAGIC = b"DL1"


def dumps(obj: Any) -> bytes:
    """A compressed pickle with a version prefix."""
    return _MAGIC + zlib.compress(pickle.dumps(obj, protocol=5), 1)


def loads(raw: bytes) -> Any:
    if not raw.startswith(_MAGIC):
        raise StateError("changelog record is not a driftline snapshot (version DL1)")
    return pickle.loads(zlib.decompress(raw[len(_MAGIC) :]))  # noqa: S301 - trusted


class SnapshotStore:
    """State objects by key, grouped by the input partition that owns them."""

    def __init__(self, kafka: KafkaSettings, changelog: str) -> None:
        self.kafka = kafka
        self.changelog = changelog
        self.objects: dict[int, dict[str, Any]] = {}
        self._dirty: set[tuple[int, str]] = set()

    def restore(self, parts: list[int]) -> int:
        """Read the snapshots of newly assigned partitions; return how many."""
        started = time.perf_counter()
        count = 0
        for part in parts:
            self.objects[part] = {}
        for part, key, value, _ in read_changelog(
            self.kafka, self.changelog, dict.fromkeys(parts)
        ):
            name = key.decode()
            if value is None:
                self.objects[part].pop(name, None)
            else:
                self.objects[part][name] = loads(value)
                count += 1
        logger.info(
            "snapshots restored",
            extra={
                "changelog": self.changelog,
                "partitions": parts,
                "records": count,
                "seconds": round(time.perf_counter() - started, 3),
            },
        )
        return count

    def release(self, parts: list[int]) -> None:
        for part in parts:
            self.objects.pop(part, None)

    def get(self, part: int, key: str, factory: Callable[[], Any]) -> Any:
        """The object for a key, created by ``factory`` when there is none yet."""
        bucket = self.objects.setdefault(part, {})
        found = bucket.get(key)
        if found is None:
            found = bucket[key] = factory()
        return found

    def touch(self, part: int, key: str) -> None:
        """Mark an object changed: it is snapshotted at the end of the batch."""
        self._dirty.add((part, key))

    def write(self, out: Output) -> None:
        """Produce snapshots of the changed objects into the open transaction."""

        def failed(error: KafkaError | None, message: Message) -> None:
            if error is not None:
                logger.error(
                    "snapshot not written",
                    extra={"changelog": self.changelog, "error": error.str()},
                )

        for part, key in sorted(self._dirty):
            obj = self.objects.get(part, {}).get(key)
            value = None if obj is None else dumps(obj)
            out.produce(
                self.changelog, value, key=key, partition=part, on_delivery=failed
            )
        self._dirty.clear()

    def forget_changes(self) -> None:
        self._dirty.clear()
