"""Shared fixtures: the real local Kafka broker and uniquely named topics.

The broker is the one `.ci/run` / `make test` started, found through
DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS; without that variable the fixture starts the
local broker itself (idempotent), so a plain `pytest` works too.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest
from confluent_kafka.admin import AdminClient, NewTopic

from stream_workers.config.settings import KafkaSettings, TopicSettings
from stream_workers.kafka.topics import ensure_topics
from stream_workers.replay.pipeline import connect


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    """Bootstrap address of a real, running Kafka broker."""
    configured = os.environ.get("DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS")
    if configured:
        return configured
    bootstrap = connect().bootstrap_servers
    os.environ["DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS"] = bootstrap
    return bootstrap


@pytest.fixture(scope="session")
def kafka_settings(kafka_bootstrap: str) -> KafkaSettings:
    return KafkaSettings(bootstrap_servers=kafka_bootstrap)


@pytest.fixture(scope="session")
def admin(kafka_bootstrap: str) -> AdminClient:
    return AdminClient({"bootstrap.servers": kafka_bootstrap})


@pytest.fixture
def make_topic(admin: AdminClient) -> Iterator[Callable[..., str]]:
    """Create uniquely named topics for one test; delete them afterwards."""
    created: list[str] = []

    def make(
        stem: str = "t",
        partitions: int = 1,
        config: dict[str, str] | None = None,
        *,
        name: str | None = None,
    ) -> str:
        name = name or f"{stem}-{uuid.uuid4().hex[:10]}"
        futures = admin.create_topics(
            [NewTopic(name, partitions, 1, config=config or {})]
        )
        futures[name].result(timeout=30)
        created.append(name)
        return name

    yield make
    if created:
        admin.delete_topics(created, operation_timeout=10)


@pytest.fixture
def topic_settings(admin: AdminClient) -> Iterator[TopicSettings]:
    """A full set of driftline topics under a unique prefix, created for one test."""
    prefix = f"t{uuid.uuid4().hex[:8]}-"
    settings = TopicSettings(prefix=prefix)
    names = ensure_topics(admin, settings)
    yield settings
    admin.delete_topics(names, operation_timeout=10)
