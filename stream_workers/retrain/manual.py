"""A retrain triggered by hand (``driftline retrain``), through the same actions.

The manual decision runs the model's configured actions and is produced to
``retrain-requests`` with ``requested_by: manual``, like a policy decision. It
does not pass through the worker, so it neither waits for nor starts the model's
cooldown, and uses none of its daily budget.
"""

from __future__ import annotations

import logging
import time

from prometheus_client import CollectorRegistry

from stream_workers.config.models import DriftlineConfig
from stream_workers.config.settings import KafkaSettings, TopicSettings
from stream_workers.errors import KafkaClusterError
from stream_workers.kafka.clients import make_producer
from stream_workers.messages.codec import encode
from stream_workers.messages.models import RetrainRequest
from stream_workers.retrain.actions import ActionRunner, build_actions, request_for
from stream_workers.retrain.metrics import RetrainMetrics
from stream_workers.retrain.policy import manual_decision

__all__ = ["trigger_manually"]

logger = logging.getLogger(__name__)


def trigger_manually(
    model_id: str,
    reason: str,
    *,
    config: DriftlineConfig,
    kafka: KafkaSettings,
    topics: TopicSettings,
    model_version: str | None = None,
    decision_id: str | None = None,
    registry: CollectorRegistry | None = None,
    time_limit_s: float = 120.0,
) -> RetrainRequest:
    """Run the model's actions and record the manual decision; return the record."""
    actions = build_actions(config.for_model(model_id).retrain)
    decision = manual_decision(
        model_id,
        reason,
        now_ms=int(time.time() * 1000),
        model_version=model_version,
        ident=decision_id,
    )
    metrics = RetrainMetrics.create(registry or CollectorRegistry())

    pending = request_for(decision, requested_by="manual")
    results = ActionRunner(metrics).run(
        actions, pending, deadline=time.monotonic() + time_limit_s
    )
    request = request_for(decision, requested_by="manual", actions=results)
    outcome = "failed" if request.status == "failed" else "triggered"
    metrics.decisions.labels(model_id, outcome).inc()

    producer = make_producer(kafka)
    producer.produce(topics.name("retrain_requests"), encode(request), key=model_id)
    if producer.flush(30) != 0:
        raise KafkaClusterError(
            f"the manual decision {decision.decision_id} was not written to "
            f"{topics.name('retrain_requests')} within 30 s; check the broker and "
            "run the command again (the actions are idempotent)"
        )
    logger.info(
        "manual retrain recorded",
        extra={
            "model_id": model_id,
            "decision_id": decision.decision_id,
            "outcome": outcome,
        },
    )
    return request
