"""Start-up checks a worker runs against the cluster before it consumes."""

from __future__ import annotations

from stream_workers.config.settings import KafkaSettings, TopicSettings
from stream_workers.kafka.clients import make_admin
from stream_workers.kafka.topics import check_copartitioned

__all__ = ["require_copartitioned"]


def require_copartitioned(kafka: KafkaSettings, topics: TopicSettings) -> int:
    """Refuse to join unless predictions, labels and the changelog align."""
    admin = make_admin(kafka)
    return check_copartitioned(
        admin,
        topics.name("predictions"),
        topics.name("labels"),
        topics.changelog("join"),
    )
