"""Where and what label-free estimation writes besides the gauges.

Its changelog topic, created when missing, and the builders of the ``estimated``
alert and of the window records that :mod:`stream_workers.workers.estimation`
produces.
"""

from __future__ import annotations

import logging
from typing import Any

from confluent_kafka import KafkaException
from confluent_kafka.admin import NewTopic

from stream_workers.config.concept import EstimationConfig
from stream_workers.config.settings import KafkaSettings, TopicSettings
from stream_workers.errors import KafkaClusterError
from stream_workers.kafka.clients import make_admin
from stream_workers.kafka.topics import partition_count
from stream_workers.messages.models import AlertWindow, DriftAlert
from stream_workers.workers.alerting import alert_id
from stream_workers.workers.estimation_state import WindowSums

__all__ = [
    "CHANGELOG",
    "DETECTOR",
    "ensure_changelog",
    "estimated_alert",
    "estimated_alert_id",
    "window_record",
]

logger = logging.getLogger(__name__)

CHANGELOG = "estimation"
DETECTOR = "cbpe"


def ensure_changelog(kafka: KafkaSettings, topics: TopicSettings) -> str:
    """Create the estimation changelog (one partition per predictions partition)."""
    admin = make_admin(kafka)
    name = topics.changelog(CHANGELOG)
    if name in admin.list_topics(timeout=10).topics:
        return name
    count = partition_count(admin, topics.name("predictions"))
    config = {"cleanup.policy": "compact", "min.cleanable.dirty.ratio": "0.1"}
    future = admin.create_topics(
        [NewTopic(name, count, topics.replication_factor, config=config)]
    )[name]
    try:
        future.result(30)
    except KafkaException as exc:
        if exc.args[0].name() != "TOPIC_ALREADY_EXISTS":
            raise KafkaClusterError(f"creating topic {name} failed: {exc}") from exc
    logger.info("changelog created", extra={"changelog": name, "partitions": count})
    return name


def estimated_alert_id(model: str, version: str, start_ms: int) -> str:
    """The alert ID of one window: the same on every replay and every replica."""
    return alert_id(
        model, version, None, "concept-worker", "estimated", DETECTOR, start_ms
    )


def window_record(
    model: str,
    version: str,
    start_ms: int,
    sums: WindowSums,
    cfg: EstimationConfig,
    fields: dict[str, Any],
) -> dict[str, Any]:
    """One window's figures for ``windows_topic``: identity, size and ``fields``."""
    return {
        "model_id": model,
        "model_version": version,
        "window_start_ms": start_ms,
        "window_end_ms": start_ms + cfg.window_ms,
        "predictions": sums.count,
        **fields,
    }


def estimated_alert(
    model: str,
    version: str,
    start_ms: int,
    sums: WindowSums,
    cfg: EstimationConfig,
    record: dict[str, Any],
) -> DriftAlert:
    """The alert for a window whose estimate fell under ``cfg.threshold``.

    ``record`` is the window's ``estimated`` record; ``detected_at_ms`` is when
    event time allowed the window to close, so a replay yields the same alert.
    """
    end = start_ms + cfg.window_ms
    return DriftAlert(
        alert_id=estimated_alert_id(model, version, start_ms),
        model_id=model,
        model_version=version,
        kind="estimated",
        detector=DETECTOR,
        statistic=record["estimated"],
        threshold=cfg.threshold,
        severity="warning",
        window=AlertWindow(
            first_event_time_ms=start_ms,
            last_event_time_ms=end - 1,
            count=sums.count,
        ),
        detected_at_ms=end + cfg.allowed_lateness_ms,
        details={
            "window_start_ms": start_ms,
            "window_end_ms": end,
            "confidence_mean": record["confidence_mean"],
            "calibration_labels": record["calibration_labels"],
            "prediction_partitions": record["prediction_partitions"],
        },
    )
