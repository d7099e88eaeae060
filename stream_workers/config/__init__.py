"""Configuration: environment settings (``DRIFTLINE_...``) and the models YAML file.

The environment is read here and nowhere else; every worker gets one frozen
settings object.
"""

from __future__ import annotations

from stream_workers.config.settings import (
    JoinSettings,
    KafkaSettings,
    LocalBrokerSettings,
    TopicSettings,
    WorkerSettings,
    masked,
)

__all__ = [
    "JoinSettings",
    "KafkaSettings",
    "LocalBrokerSettings",
    "TopicSettings",
    "WorkerSettings",
    "masked",
]
