"""The retrain-trigger worker: alerts in, one retrain decision per alert out.

Consumes ``alerts`` (keyed by model) and produces a ``RetrainRequest`` for every
alert to ``retrain-requests``, keyed by model: triggered, suppressed (with the
rule that suppressed it) or failed (an action failed after its last retry). The
policy's state per model is a :class:`ModelState` in the compacted
``driftline.retrain-changelog``, written in the same transaction as the
decisions, so Kafka sees each decision exactly once.

Actions (Airflow, webhook) run inside the batch, before the commit: they are
at-least-once, and the decision ID they carry as idempotency key makes a replay
harmless. All actions of one batch share half the transaction timeout; past it an
action gets one try and no retries, so a slow endpoint cannot make every commit
time out.
"""

from __future__ import annotations

import copy
import logging
import time
from functools import partial
from typing import Any

from confluent_kafka import Message, TopicPartition

from stream_workers.config.models import DriftlineConfig, load_config
from stream_workers.config.settings import TopicSettings
from stream_workers.errors import DecodeError
from stream_workers.kafka.loop import Output
from stream_workers.messages.codec import encode
from stream_workers.messages.models import DriftAlert
from stream_workers.retrain.actions import (
    Action,
    ActionRunner,
    build_actions,
    request_for,
)
from stream_workers.retrain.metrics import RetrainMetrics
from stream_workers.retrain.policy import ModelState, Outcome, RetrainPolicy
from stream_workers.state.snapshots import SnapshotStore
from stream_workers.workers.runtime import WorkerContext, run_worker

__all__ = ["RetrainProcessor", "build", "input_topics", "main"]

logger = logging.getLogger(__name__)


class RetrainProcessor:
    """The retrain policy and its actions, plugged into the transactional loop."""

    def __init__(
        self,
        *,
        topics: TopicSettings,
        config: DriftlineConfig,
        store: SnapshotStore,
        metrics: RetrainMetrics,
        runner: ActionRunner,
        action_budget_s: float,
    ) -> None:
        self.alerts = topics.name("alerts")
        self.requests = topics.name("retrain_requests")
        self.config = config
        self.store = store
        self.metrics = metrics
        self.runner = runner
        self.action_budget_s = action_budget_s
        self._models: dict[str, tuple[RetrainPolicy, list[Action]]] = {}
        self._before: dict[tuple[int, str], ModelState] = {}
        self._counts: list[tuple[str, Outcome]] = []

    def for_model(self, model_id: str) -> tuple[RetrainPolicy, list[Action]]:
        """The policy and actions of a model, built once (secrets read then)."""
        found = self._models.get(model_id)
        if found is None:
            retrain = self.config.for_model(model_id).retrain
            found = self._models[model_id] = (
                RetrainPolicy(retrain),
                build_actions(retrain),
            )
        return found

    # -- assignment ------------------------------------------------------------
    def assign(self, partitions: list[TopicPartition]) -> None:
        self.store.restore(sorted({tp.partition for tp in partitions}))

    def revoke(self, partitions: list[TopicPartition]) -> None:
        self.store.release(sorted({tp.partition for tp in partitions}))

    # -- the batch -------------------------------------------------------------
    def process(self, messages: list[Message], out: Output) -> None:
        deadline = time.monotonic() + self.action_budget_s
        for message in messages:
            alert = self._decode(message, out)
            if alert is not None:
                self._decide(message, alert, out, deadline)
        self.store.write(out)

    def _decode(self, message: Message, out: Output) -> DriftAlert | None:
        alert = out.decode(DriftAlert, message)
        if alert is None:
            return None
        key = message.key()
        if key is not None and key.decode("utf-8", "replace") != alert.model_id:
            out.reject(
                message,
                DecodeError(
                    f"record key {key!r} differs from model_id {alert.model_id!r}; "
                    "key alerts by model ID"
                ),
            )
            return None
        return alert

    def _decide(
        self, message: Message, alert: DriftAlert, out: Output, deadline: float
    ) -> None:
        part, model = message.partition() or 0, alert.model_id
        policy, actions = self.for_model(model)
        state = self._state(part, model)

        decision = policy.decide(state, alert, ident=f"{part}:{message.offset()}")
        results = []
        if decision.triggered and actions:
            results = self.runner.run(actions, request_for(decision), deadline=deadline)
        if decision.triggered:
            ok = all(r.status == "succeeded" for r in results)
            policy.settle(state, decision, succeeded=ok)

        request = request_for(decision, actions=results)
        out.produce(self.requests, encode(request), key=model)
        self.store.touch(part, model)
        outcome: Outcome = "failed" if request.status == "failed" else decision.outcome
        self._counts.append((model, outcome))
        logger.info(
            "retrain decision",
            extra={
                "model_id": model,
                "decision_id": decision.decision_id,
                "outcome": outcome,
                "rule": decision.rule,
            },
        )

    def _state(self, part: int, model: str) -> ModelState:
        state: ModelState = self.store.get(part, model, ModelState)
        if (part, model) not in self._before:
            self._before[(part, model)] = copy.deepcopy(state)
        return state

    # -- after the transaction -------------------------------------------------
    def committed(self) -> None:
        for model, outcome in self._counts:
            self.metrics.decisions.labels(model, outcome).inc()
        self._counts.clear()
        self._before.clear()

    def aborted(self) -> None:
        for (part, model), state in self._before.items():
            if part in self.store.objects:
                self.store.objects[part][model] = state
        self._before.clear()
        self._counts.clear()
        self.store.forget_changes()


def build(
    context: WorkerContext, config: DriftlineConfig | None = None
) -> RetrainProcessor:
    """Load the YAML configuration and check every configured model's actions."""
    config = config or load_config(context.worker.config_file)
    metrics = RetrainMetrics.create(context.registry)
    processor = RetrainProcessor(
        topics=context.topics,
        config=config,
        store=SnapshotStore(context.kafka, context.topics.changelog("retrain")),
        metrics=metrics,
        runner=ActionRunner(metrics),
        action_budget_s=context.worker.transaction_timeout_s / 2,
    )
    build_actions(config.defaults.retrain)
    for model_id in config.models:
        processor.for_model(model_id)
    return processor


def input_topics(topics: TopicSettings) -> list[str]:
    return [topics.name("alerts")]


def main(config: DriftlineConfig | None = None, **overrides: Any) -> None:
    """Run the retrain-trigger worker until SIGTERM (``driftline worker retrain``)."""
    run_worker("retrain", partial(build, config=config), input_topics, **overrides)
