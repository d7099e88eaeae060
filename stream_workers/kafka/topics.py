"""Topic creation and the co-partitioning check the join depends on."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

from stream_workers.config.settings import TopicSettings
from stream_workers.errors import KafkaClusterError, TopicLayoutError

__all__ = ["TopicSpec", "check_copartitioned", "ensure_topics", "planned_topics"]

logger = logging.getLogger(__name__)

WORKERS_WITH_STATE = ("join", "concept", "data", "retrain", "estimation")


@dataclass(frozen=True)
class TopicSpec:
    """One topic to create: name, partitions and topic-level configuration."""

    name: str
    partitions: int
    config: tuple[tuple[str, str], ...] = ()


def planned_topics(topics: TopicSettings) -> list[TopicSpec]:
    """Every topic driftline uses, with DLQs and compacted changelogs."""
    inputs = topics.input_partitions
    plain = [
        (topics.name("predictions"), inputs),
        (topics.name("labels"), inputs),
        (topics.name("outcomes"), topics.partitions),
        (topics.name("alerts"), topics.partitions),
        (topics.name("retrain_requests"), topics.partitions),
        (topics.name("late_labels"), inputs),
    ]
    specs = [TopicSpec(name, count) for name, count in plain]
    specs += [TopicSpec(topics.dlq(name), count) for name, count in plain[:4]]
    compacted = (
        ("cleanup.policy", "compact"),
        ("min.cleanable.dirty.ratio", "0.1"),
        # Detector snapshots (references, windows) can exceed the 1 MiB default.
        ("max.message.bytes", str(16 * 1024 * 1024)),
    )
    for worker in WORKERS_WITH_STATE:
        # The join's changelog partitions mirror its input partitions one to one.
        count = (
            inputs if worker in ("join", "data", "estimation") else topics.partitions
        )
        specs.append(TopicSpec(topics.changelog(worker), count, compacted))
    return specs


def ensure_topics(
    admin: AdminClient,
    topics: TopicSettings,
    *,
    extra: list[TopicSpec] | None = None,
    timeout_s: float = 30.0,
) -> list[str]:
    """Create the missing topics; return the names created. Existing ones stay."""
    specs = planned_topics(topics) + list(extra or [])
    existing = set(admin.list_topics(timeout=timeout_s).topics)
    missing = [s for s in specs if s.name not in existing]
    if missing:
        futures = admin.create_topics(
            [
                NewTopic(
                    s.name,
                    num_partitions=s.partitions,
                    replication_factor=topics.replication_factor,
                    config=dict(s.config),
                )
                for s in missing
            ],
            operation_timeout=timeout_s,
        )
        for name, future in futures.items():
            try:
                future.result()
            except KafkaException as exc:
                if exc.args[0].name() != "TOPIC_ALREADY_EXISTS":
                    raise KafkaClusterError(
                        f"creating topic {name} failed: {exc}"
                    ) from exc
    check_copartitioned(admin, topics.name("predictions"), topics.name("labels"))
    return [s.name for s in missing]


def partition_count(admin: AdminClient, topic: str, *, timeout_s: float = 10.0) -> int:
    """The number of partitions of a topic, or a TopicLayoutError if it is missing."""
    # A topic created a moment ago can take a few hundred ms to show in metadata.
    deadline = time.monotonic() + min(timeout_s, 5.0)
    while True:
        metadata = admin.list_topics(topic=topic, timeout=timeout_s).topics.get(topic)
        found = metadata is not None and metadata.error is None and metadata.partitions
        if found or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    if not found:
        raise TopicLayoutError(
            f"topic {topic} does not exist; run `driftline topics create`",
            topics=(topic,),
        )
    assert metadata is not None
    return len(metadata.partitions)


def check_copartitioned(admin: AdminClient, *names: str) -> int:
    """Return the common partition count, or refuse topics whose counts differ."""
    counts = {name: partition_count(admin, name) for name in names}
    if len(set(counts.values())) != 1:
        listing = ", ".join(f"{n} has {c}" for n, c in counts.items())
        raise TopicLayoutError(
            f"co-partitioned topics must have the same partition count ({listing}); "
            "recreate them with the same count so that one request's prediction and "
            "label meet in the same worker",
            topics=tuple(names),
        )
    return next(iter(counts.values()))
