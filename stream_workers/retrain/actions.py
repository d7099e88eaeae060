"""The actions a triggered decision runs, and the request that records them.

An action is tried, with retries, before the batch's transaction commits: a crash
between the call and the commit replays the alert and calls again with the same
decision ID, which each action passes on as its idempotency key. An action that
fails after its last attempt is recorded as ``failed`` with the error; the
decision is still produced.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Literal, Protocol

from stream_workers.config.retrain import (
    AirflowActionConfig,
    RetrainConfig,
    RetryConfig,
    WebhookActionConfig,
)
from stream_workers.messages.models import ActionResult, RetrainRequest
from stream_workers.retrain.airflow import AirflowAction
from stream_workers.retrain.http import Attempt, retrying
from stream_workers.retrain.metrics import RetrainMetrics
from stream_workers.retrain.policy import Decision
from stream_workers.retrain.webhook import WebhookAction

__all__ = ["Action", "ActionRunner", "build_actions", "request_for"]

logger = logging.getLogger(__name__)


class Action(Protocol):
    """One external action: a name, its retry settings, and one try."""

    name: str
    retry: RetryConfig

    def once(self, request: RetrainRequest, timeout_s: float) -> Attempt:
        """Try once; report success, or failure and whether to retry."""


def build_actions(config: RetrainConfig) -> list[Action]:
    """The configured actions, their secrets read now (``ConfigError`` if missing)."""
    actions: list[Action] = []
    for spec in config.actions:
        if isinstance(spec, AirflowActionConfig):
            actions.append(
                AirflowAction(
                    spec,
                    token=spec.token.resolve() if spec.token else None,
                    password=spec.password.resolve() if spec.password else None,
                )
            )
        elif isinstance(spec, WebhookActionConfig):
            secret = spec.secret.resolve() if spec.secret else None
            actions.append(WebhookAction(spec, secret=secret))
    return actions


def request_for(
    decision: Decision,
    *,
    requested_by: Literal["policy", "manual"] = "policy",
    actions: list[ActionResult] | None = None,
) -> RetrainRequest:
    """The ``RetrainRequest`` that records a decision and its action results."""
    failed = any(a.status == "failed" for a in actions or [])
    status: Literal["triggered", "suppressed", "failed"] = "suppressed"
    if failed:
        status = "failed"
    elif decision.triggered:
        status = "triggered"
    return RetrainRequest(
        decision_id=decision.decision_id,
        model_id=decision.model_id,
        model_version=decision.model_version,
        status=status,
        reason=decision.reason,
        rule=decision.rule,
        alert_ids=list(decision.alert_ids),
        decided_at_ms=decision.decided_at_ms,
        requested_by=requested_by,
        actions=actions or [],
    )


class ActionRunner:
    """Runs a decision's actions in order, with retries, counting into metrics."""

    def __init__(
        self,
        metrics: RetrainMetrics,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.metrics = metrics
        self.sleep = sleep
        self.clock = clock

    def run(
        self, actions: list[Action], request: RetrainRequest, *, deadline: float
    ) -> list[ActionResult]:
        """Run every action for ``request``; one result each, none raises."""
        return [self._run_one(action, request, deadline) for action in actions]

    def _run_one(
        self, action: Action, request: RetrainRequest, deadline: float
    ) -> ActionResult:
        started = self.clock()
        attempts = self.metrics.action_attempts.labels(action.name)
        done = retrying(
            lambda timeout_s: action.once(request, timeout_s),
            action.retry,
            deadline=deadline,
            on_attempt=attempts.inc,
            sleep=self.sleep,
            clock=self.clock,
        )
        self.metrics.action_duration.labels(action.name).observe(self.clock() - started)

        context = {
            "model_id": request.model_id,
            "decision_id": request.decision_id,
            "action": action.name,
            "attempts": done.attempts,
        }
        if done.last.ok:
            logger.info("retrain action succeeded", extra=context)
            return ActionResult(
                action=action.name,
                status="succeeded",
                attempts=done.attempts,
                external_id=done.last.external_id,
            )
        self.metrics.action_failures.labels(action.name).inc()
        logger.warning(
            "retrain action failed", extra={**context, "error": done.last.error}
        )
        return ActionResult(
            action=action.name,
            status="failed",
            attempts=done.attempts,
            error=done.last.error,
        )
