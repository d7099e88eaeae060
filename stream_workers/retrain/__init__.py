"""Retraining: the policy that turns alerts into decisions, and the actions.

- ``policy``: :class:`RetrainPolicy` decides on one alert against a model's
  :class:`ModelState` (rules, confirmation, cooldown, daily budget, dedupe).
- ``actions``: Airflow DAG runs and signed webhooks, retried with backoff, keyed
  by the decision ID so that a retry is harmless.
- ``manual``: :func:`trigger_manually`, behind ``driftline retrain``.

The worker that runs them is :mod:`stream_workers.workers.retrain`.
"""

from __future__ import annotations

from stream_workers.retrain.actions import (
    Action,
    ActionRunner,
    build_actions,
    request_for,
)
from stream_workers.retrain.airflow import AirflowAction, dag_run_conf
from stream_workers.retrain.manual import trigger_manually
from stream_workers.retrain.metrics import RetrainMetrics
from stream_workers.retrain.policy import (
    Decision,
    ModelState,
    Outcome,
    RetrainPolicy,
    decision_id,
    manual_decision,
)
from stream_workers.retrain.webhook import WebhookAction, sign

__all__ = [
    "Action",
    "ActionRunner",
    "AirflowAction",
    "Decision",
    "ModelState",
    "Outcome",
    "RetrainMetrics",
    "RetrainPolicy",
    "WebhookAction",
    "build_actions",
    "dag_run_conf",
    "decision_id",
    "manual_decision",
    "request_for",
    "sign",
    "trigger_manually",
]
