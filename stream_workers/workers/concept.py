"""The concept worker: detectors on the error stream of each model version.

Consumes ``outcomes`` (keyed by model) and keeps, per model, version and (when
configured) segment, a :class:`DetectorSet`: ADWIN, DDM and windowed accuracy by
default. A detector's drift becomes a ``DriftAlert`` on ``alerts`` whose ID is a
hash of the model, version, segment, detector, level and the outcome's position
in that key's stream, so a replay after a crash yields the same IDs. The detector
sets are checkpointed to ``driftline.concept-changelog`` in the same transaction
as the alerts they produced and restored on assignment.

Unlabelled outcomes count towards label coverage and are never fed as errors; an
outcome whose error a detector cannot take goes to ``outcomes.dlq``.

When ``concept.estimation`` is enabled for any model the worker also consumes
``predictions`` and estimates each model's accuracy before its labels arrive
(:mod:`stream_workers.workers.estimation`); otherwise it reads ``outcomes`` alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import orjson
from confluent_kafka import Message, TopicPartition

from stream_workers.config.models import DriftlineConfig, load_config
from stream_workers.config.settings import TopicSettings, WorkerSettings
from stream_workers.detectors import DetectorSet, DriftSignal
from stream_workers.errors import ConfigError, InvalidInputError
from stream_workers.kafka.loop import Output
from stream_workers.kafka.records import partition_of
from stream_workers.messages.models import AlertWindow, DriftAlert, OutcomeEvent
from stream_workers.state.snapshots import SnapshotStore
from stream_workers.workers.alerting import alert_id
from stream_workers.workers.concept_metrics import ConceptMetrics
from stream_workers.workers.estimation import (
    CHANGELOG,
    Estimator,
    ensure_changelog,
    estimation_enabled,
)
from stream_workers.workers.runtime import WorkerContext, run_worker

__all__ = ["ConceptProcessor", "ConceptState", "main"]

logger = logging.getLogger(__name__)


@dataclass
class ConceptState:
    """What is checkpointed per key: the detectors and the label coverage."""

    detectors: DetectorSet
    labeled: int = 0
    unlabeled: int = 0
    alerts: int = 0
    segments: dict[str, int] = field(default_factory=dict)
    stream_time_ms: int = 0


class ConceptProcessor:
    """Feeds outcomes to detector sets and emits alerts, in the loop's batches."""

    def __init__(
        self,
        *,
        topics: TopicSettings,
        config: DriftlineConfig,
        snapshots: SnapshotStore,
        metrics: ConceptMetrics,
        estimator: Estimator | None = None,
    ) -> None:
        self.config = config
        self.snapshots = snapshots
        self.metrics = metrics
        self.estimator = estimator
        self.alerts_topic = topics.name("alerts")
        self.predictions_topic = topics.name("predictions")
        self._pending_alerts: list[tuple[str, str, str]] = []

    def _split(self, partitions: list[TopicPartition]) -> tuple[list[int], list[int]]:
        """Outcomes partitions and predictions partitions, each sorted."""
        topic = self.predictions_topic
        predictions = {tp.partition for tp in partitions if tp.topic == topic}
        outcomes = {tp.partition for tp in partitions if tp.topic != topic}
        return sorted(outcomes), sorted(predictions)

    def assign(self, partitions: list[TopicPartition]) -> None:
        outcomes, predictions = self._split(partitions)
        self.snapshots.restore(outcomes)
        if self.estimator is not None and predictions:
            self.estimator.assign(predictions)

    def revoke(self, partitions: list[TopicPartition]) -> None:
        outcomes, predictions = self._split(partitions)
        self.snapshots.release(outcomes)
        if self.estimator is not None and predictions:
            self.estimator.revoke(predictions)

    def process(self, messages: list[Message], out: Output) -> None:
        estimator = self.estimator
        for message in messages:
            if estimator is not None and message.topic() == self.predictions_topic:
                estimator.prediction(message)
                continue
            outcome = out.decode(OutcomeEvent, message)
            if outcome is not None:
                self._feed(message, outcome, out)
        if self.estimator is not None:
            self.estimator.flush(out)
        self.snapshots.write(out)

    def _key(self, outcome: OutcomeEvent) -> tuple[str, str | None]:
        concept = self.config.for_model(outcome.model_id).concept
        segment = outcome.segment if concept.per_segment else None
        return f"{outcome.model_id}|{outcome.model_version}|{segment or ''}", segment

    def _state(self, part: int, key: str, outcome: OutcomeEvent) -> ConceptState:
        concept = self.config.for_model(outcome.model_id).concept

        def fresh() -> ConceptState:
            self.metrics.detector_resets.labels(outcome.model_id).inc()
            return ConceptState(
                DetectorSet(
                    concept.detector_specs(outcome.task),
                    gate=concept.gate.model_dump(),
                    dedupe_capacity=concept.dedupe_capacity or None,
                    model_id=outcome.model_id,
                )
            )

        return self.snapshots.get(part, key, fresh)

    def _feed(self, message: Message, outcome: OutcomeEvent, out: Output) -> None:
        part = partition_of(message)
        key, segment = self._key(outcome)
        state = self._state(part, key, outcome)
        self.snapshots.touch(part, key)
        model = outcome.model_id
        state.stream_time_ms = max(state.stream_time_ms, outcome.prediction_time_ms)
        if not outcome.labeled:
            state.unlabeled += 1
            self.metrics.outcomes.labels(model, "false").inc()
            self._coverage(outcome, state)
            if self.estimator is not None:
                self.estimator.outcome(part, outcome)
            return
        before = state.detectors.n_redelivered
        try:
            if outcome.error is None:
                raise InvalidInputError(
                    "labelled outcome has no error (a non-numeric regression label?)",
                    model_id=model,
                )
            signals = state.detectors.update(
                outcome.error,
                event_time_ms=outcome.prediction_time_ms,
                correct=outcome.correct,
                outcome_id=outcome.request_id,
            )
        except InvalidInputError as exc:
            self.metrics.invalid_input.labels(model).inc()
            out.reject(message, exc)
            return
        if state.detectors.n_redelivered > before:
            self.metrics.redelivered.labels(model).inc()
            return
        state.labeled += 1
        self.metrics.outcomes.labels(model, "true").inc()
        self._observe(outcome, state)
        if self.estimator is not None:
            self.estimator.outcome(part, outcome)
        for signal in signals:
            if signal.level == "drift" or self._warnings(model):
                self._alert(outcome, segment, signal, state.stream_time_ms, out)
                state.alerts += 1

    def _warnings(self, model: str) -> bool:
        return self.config.for_model(model).concept.warnings_as_alerts

    def _observe(self, outcome: OutcomeEvent, state: ConceptState) -> None:
        model, version = outcome.model_id, outcome.model_version
        for label, detector in state.detectors.detectors.items():
            self.metrics.statistic.labels(model, version, label).set(detector.statistic)
            metric = getattr(detector, "metric", None)
            if label == "accuracy" and isinstance(metric, float) and metric == metric:
                self.metrics.accuracy.labels(model, version, "realised").set(metric)
            clock = detector.params.get("clock") if detector.params else None
            if isinstance(clock, int | float):
                self.metrics.adwin_clock.labels(model, version, label).set(clock)
        self._coverage(outcome, state)

    def _coverage(self, outcome: OutcomeEvent, state: ConceptState) -> None:
        total = state.labeled + state.unlabeled
        self.metrics.label_coverage.labels(outcome.model_id, outcome.model_version).set(
            state.labeled / total
        )

    def _alert(
        self,
        outcome: OutcomeEvent,
        segment: str | None,
        signal: DriftSignal,
        stream_time_ms: int,
        out: Output,
    ) -> None:
        """Produce one alert; it is dated at the key's stream time (the latest
        prediction time seen), since outcomes from several join partitions arrive
        interleaved and the triggering outcome may be older than evidence before it.
        """
        identifier = alert_id(
            outcome.model_id,
            outcome.model_version,
            segment,
            "concept-worker",
            signal.detector,
            signal.level,
            signal.index,
        )
        alert = DriftAlert(
            alert_id=identifier,
            model_id=outcome.model_id,
            model_version=outcome.model_version,
            segment=segment,
            kind=signal.kind,
            detector=signal.detector,
            statistic=signal.statistic,
            threshold=signal.threshold,
            severity="critical" if signal.level == "drift" else "warning",
            window=AlertWindow(
                first_event_time_ms=signal.window_start_ms,
                last_event_time_ms=signal.window_end_ms,
                count=signal.n_window,
            ),
            detected_at_ms=stream_time_ms,
            details={
                "level": signal.level,
                "algorithm": signal.algorithm,
                "index": signal.index,
                "n_seen": signal.n_seen,
                "detections": signal.count,
                "request_id": outcome.request_id,
            },
        )
        out.produce(
            self.alerts_topic,
            orjson.dumps(alert.model_dump(mode="json", exclude_none=True)),
            key=outcome.model_id,
        )
        self._pending_alerts.append((outcome.model_id, signal.detector, signal.level))
        logger.info(
            "drift alert",
            extra={
                "alert_id": identifier,
                "model_id": outcome.model_id,
                "model_version": outcome.model_version,
                "detector": signal.detector,
                "signal_level": signal.level,
                "index": signal.index,
            },
        )

    def committed(self) -> None:
        for model, detector, level in self._pending_alerts:
            self.metrics.alerts.labels(model, detector, level).inc()
        self._pending_alerts.clear()
        if self.estimator is not None:
            self.estimator.committed()

    def aborted(self) -> None:
        # The in-memory detectors already saw the aborted batch: drop them and
        # read the last committed snapshots back before the batch is replayed.
        self._pending_alerts.clear()
        self.snapshots.forget_changes()
        parts = sorted(self.snapshots.objects)
        self.snapshots.restore(parts)
        if self.estimator is not None:
            self.estimator.aborted()


def validate_detectors(config: DriftlineConfig) -> None:
    """Build every configured detector set once, so a bad detector name or
    parameter stops the worker at start-up rather than at its first outcome."""
    concepts = [("defaults", config.defaults.concept)]
    concepts += [(f"models.{m}", config.for_model(m).concept) for m in config.models]
    for where, concept in concepts:
        for task in ("classification", "regression"):
            try:
                DetectorSet(
                    concept.detector_specs(task), gate=concept.gate.model_dump()
                )
            except ConfigError as exc:
                raise ConfigError(
                    f"{where}.concept: {exc}", field=f"{where}.concept"
                ) from exc


def build(
    context: WorkerContext, config: DriftlineConfig | None = None
) -> ConceptProcessor:
    """Load the YAML configuration and set up the snapshot stores."""
    config = config or load_config(context.worker.config_file)
    validate_detectors(config)
    snapshots = SnapshotStore(context.kafka, context.topics.changelog("concept"))
    metrics = ConceptMetrics.create(context.registry)
    estimator = None
    if estimation_enabled(config):
        ensure_changelog(context.kafka, context.topics)
        estimator = Estimator(
            topics=context.topics,
            config=config,
            store=SnapshotStore(context.kafka, context.topics.changelog(CHANGELOG)),
            outcomes=snapshots,
            metrics=metrics,
        )
    return ConceptProcessor(
        topics=context.topics,
        config=config,
        snapshots=snapshots,
        metrics=metrics,
        estimator=estimator,
    )


def input_topics(
    topics: TopicSettings, config: DriftlineConfig | None = None
) -> list[str]:
    """``outcomes``, and ``predictions`` when any model estimates without labels."""
    names = [topics.name("outcomes")]
    if config is not None and estimation_enabled(config):
        names.append(topics.name("predictions"))
    return names


def main(config: DriftlineConfig | None = None, **overrides: Any) -> None:
    """Run the concept worker until SIGTERM (``driftline worker concept``)."""
    worker = overrides.get("worker") or WorkerSettings()
    config = config or load_config(worker.config_file)
    run_worker(
        "concept",
        partial(build, config=config),
        partial(input_topics, config=config),
        **overrides,
    )
