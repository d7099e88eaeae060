"""Label-free accuracy estimation in the concept worker, from calibrated confidence.

Labels can arrive days after a prediction; its confidence is there at once. For a
model with calibrated class probabilities the mean confidence of a window of
predictions is an unbiased estimate of its accuracy (confidence-based performance
estimation, CBPE). With ``concept.estimation.enabled`` for a model:

- The worker also consumes ``predictions``. A usable prediction (classification
  with ``probabilities``) adds its confidence (the largest class probability, as
  ``OutcomeEvent.confidence``) to its tumbling event-time window of ``window_ms``:
  count, confidence sum and count per confidence bin.
- Labelled outcomes teach a reliability map (:class:`ReliabilityMap`): per bin,
  observed accuracy minus mean confidence, shrunk towards zero by
  ``calibration_prior`` pseudo-labels, forgetting with ``calibration_memory``. A
  window's estimate is its mean confidence plus each bin's shift weighted by the
  bin's count. For a calibrated model the shifts stay near zero; for an over- or
  under-confident one the map, learnt from the labels of earlier windows, is what
  makes the estimate usable. Below ``min_labels_for_calibration`` labels the raw
  mean confidence is used. Outcomes also count realised accuracy per window.
- A window closes when the event time of the slowest predictions partition
  carrying the model passes its end by ``allowed_lateness_ms`` (partitions are read
  unevenly while catching up). Its estimate goes to
  ``driftline_model_accuracy_ratio{kind="estimated"}`` and, under ``threshold``,
  to an ``estimated`` alert (detector ``cbpe``) whose ID comes from the model,
  version and window start. Later predictions for it count as late.
- Once ``settled_share`` of a closed window's predictions came back as outcomes
  (labelled, or expired unlabelled), ``driftline_model_accuracy_gap_ratio`` is set
  to its estimated minus realised accuracy.
- With ``windows_topic`` set, one JSON record per estimated and per settled window
  goes there (keyed by model) in the batch's transaction.

State: window sums per ``predictions`` partition in the compacted
``driftline.estimation-changelog`` (created by the worker when missing, one
partition per predictions partition); the map and realised counts beside the
model's detectors in the concept changelog. Both are written in the transaction of
the alerts they led to.

Limits. Predictions are keyed by request and outcomes by model, so with several
concept replicas each sums the predictions partitions it holds: its estimate
rests on a random share of the window (unbiased, noisier), several replicas may
alert on one window (same alert ID: consumers dedupe), and only the replica with
the model's outcomes partition calibrates, settles (comparing with the
predictions it holds, so possibly early) and publishes the gap. With one replica
all of this is exact. A predictions partition that stops receiving a model's
predictions holds its windows open until it sees one again. The estimate assumes
the relation between inputs and labels is that of the calibration labels (no
concept drift): under concept drift the map is stale until new labels arrive,
which the concept detectors are for. Undecodable predictions are skipped here;
the join worker dead-letters them.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from confluent_kafka import Message

from stream_workers.config.concept import EstimationConfig
from stream_workers.config.models import DriftlineConfig
from stream_workers.config.settings import TopicSettings
from stream_workers.errors import DecodeError
from stream_workers.kafka.loop import Output
from stream_workers.messages.codec import decode
from stream_workers.messages.models import OutcomeEvent, PredictionEvent
from stream_workers.state.snapshots import SnapshotStore
from stream_workers.workers.concept_metrics import ConceptMetrics
from stream_workers.workers.estimation_output import (
    CHANGELOG,
    DETECTOR,
    ensure_changelog,
    estimated_alert,
    window_record,
)
from stream_workers.workers.estimation_state import (
    OutcomeWindows,
    PredictionWindows,
    ReliabilityMap,
    WindowSums,
    closable,
    merge_sums,
    watermark,
    window_start,
)

__all__ = ["CHANGELOG", "Estimator", "ensure_changelog", "estimation_enabled"]

logger = logging.getLogger(__name__)


def estimation_enabled(config: DriftlineConfig) -> bool:
    """Whether any model (or the defaults) has estimation switched on."""
    models = [config.for_model(m) for m in config.models]
    return any(m.concept.estimation.enabled for m in [config.defaults, *models])


def _key(model: str, version: str) -> str:
    return f"{model}|{version}"


def _outcome_key(model: str, version: str) -> str:
    # Concept keys have three '|'-separated parts; this one has a prefix and two.
    return f"estimation:{model}|{version}"


class Estimator:
    """Window sums from predictions, calibration and realised counts from outcomes."""

    def __init__(
        self,
        *,
        topics: TopicSettings,
        config: DriftlineConfig,
        store: SnapshotStore,
        outcomes: SnapshotStore,
        metrics: ConceptMetrics,
    ) -> None:
        self.topics = topics
        self.config = config
        self.store = store
        self.outcomes = outcomes
        self.metrics = metrics
        self.alerts_topic = topics.name("alerts")
        self._settings: dict[str, EstimationConfig] = {}
        self._touched: set[tuple[str, str]] = set()
        self._candidates: set[tuple[str, str, int]] = set()
        self._pending: list[tuple[str, str]] = []

    def settings(self, model: str) -> EstimationConfig:
        """The model's estimation section (cached: the configuration is frozen)."""
        if model not in self._settings:
            self._settings[model] = self.config.for_model(model).concept.estimation
        return self._settings[model]

    # -- partitions ------------------------------------------------------------
    def assign(self, parts: list[int]) -> None:
        self.store.restore(parts)

    def revoke(self, parts: list[int]) -> None:
        self.store.release(parts)

    # -- input -----------------------------------------------------------------
    def prediction(self, message: Message) -> None:
        """Add one prediction's confidence to its window."""
        try:
            event = decode(
                PredictionEvent,
                message.value(),
                topic=message.topic(),
                partition=message.partition(),
                offset=message.offset(),
            )
        except DecodeError:
            return
        model, version = event.model_id, event.model_version
        cfg = self.settings(model)
        if not cfg.enabled:
            return
        confidence = event.confidence()
        if confidence is None or event.task != "classification":
            self.metrics.estimation_predictions.labels(model, "unusable").inc()
            return

        held = self._held(model, version)
        start = window_start(event.event_time_ms, cfg.window_ms)
        if start < watermark(s for _, s in held) - cfg.retain_windows * cfg.window_ms:
            self.metrics.estimation_predictions.labels(model, "expired").inc()
            return
        late = any(start in s.closed for _, s in held)

        part, key = message.partition() or 0, _key(model, version)
        state = self.store.get(part, key, PredictionWindows)
        state.add(event.event_time_ms, confidence, cfg.window_ms, cfg.calibration_bins)
        self.store.touch(part, key)
        self._touched.add((model, version))
        status = "late" if late else "counted"
        self.metrics.estimation_predictions.labels(model, status).inc()

    def outcome(self, part: int, outcome: OutcomeEvent) -> None:
        """Learn calibration from a labelled outcome; count it in its window."""
        model, version = outcome.model_id, outcome.model_version
        cfg = self.settings(model)
        if not cfg.enabled or outcome.task != "classification":
            return

        key = _outcome_key(model, version)
        state = self.outcomes.get(part, key, lambda: OutcomeWindows(_new_map(cfg)))
        if state.reliability.bins != cfg.calibration_bins:
            state.reliability = _new_map(cfg)
        state.reliability.prior = cfg.calibration_prior
        state.reliability.memory = cfg.calibration_memory
        if outcome.labeled and outcome.confidence is not None:
            state.reliability.observe(outcome.confidence, bool(outcome.correct))

        start = state.add(
            outcome.prediction_time_ms, cfg.window_ms, outcome.labeled, outcome.correct
        )
        horizon = state.stream_time_ms - cfg.retain_windows * cfg.window_ms
        if min(state.realised, default=horizon) < horizon:
            state.prune(horizon)
        self.outcomes.touch(part, key)
        self._candidates.add((model, version, start))

    # -- end of batch ----------------------------------------------------------
    def flush(self, out: Output) -> None:
        """Close due windows, settle those whose outcomes are in, write snapshots."""
        for model, version in sorted(self._touched):
            self._close_due(model, version, out)
        for model, version, start in sorted(self._candidates):
            self._settle(model, version, start, out)
        self._touched.clear()
        self._candidates.clear()
        self.store.write(out)

    def committed(self) -> None:
        for model, stage in self._pending:
            if stage == "alert":
                self.metrics.alerts.labels(model, DETECTOR, "warning").inc()
            else:
                self.metrics.estimation_windows.labels(model, stage).inc()
        self._pending.clear()

    def aborted(self) -> None:
        self._pending.clear()
        self._touched.clear()
        self._candidates.clear()
        self.store.forget_changes()
        self.store.restore(sorted(self.store.objects))

    # -- windows ---------------------------------------------------------------
    def _held(self, model: str, version: str) -> list[tuple[int, PredictionWindows]]:
        key = _key(model, version)
        return [(p, objs[key]) for p, objs in self.store.objects.items() if key in objs]

    def _outcome_state(
        self, model: str, version: str
    ) -> tuple[int, OutcomeWindows] | None:
        key = _outcome_key(model, version)
        for part, objects in self.outcomes.objects.items():
            if key in objects:
                return part, objects[key]
        return None

    def _close_due(self, model: str, version: str, out: Output) -> None:
        cfg = self.settings(model)
        held = self._held(model, version)
        slowest = watermark(s for _, s in held)
        closed = {start for _, s in held for start in s.closed}
        open_starts = sorted({start for _, s in held for start in s.sums} - closed)
        for start in open_starts:
            if closable(start, cfg.window_ms, cfg.allowed_lateness_ms, slowest):
                self._close(model, version, start, held, out)
                self._candidates.add((model, version, start))

        horizon = slowest - cfg.retain_windows * cfg.window_ms
        for part, state in held:
            if min([*state.sums, *state.closed], default=horizon) < horizon:
                state.prune(horizon)
                self.store.touch(part, _key(model, version))

    def _close(
        self,
        model: str,
        version: str,
        start: int,
        held: list[tuple[int, PredictionWindows]],
        out: Output,
    ) -> None:
        cfg = self.settings(model)
        merged = merge_sums(s.sums[start] for _, s in held if start in s.sums)
        if merged is None:
            return
        found = self._outcome_state(model, version)
        outcomes = None if found is None else found[1]
        estimate, calibration_labels = self._estimate(outcomes, merged, cfg)
        labelled = outcomes.realised.get(start, [0])[0] if outcomes else 0
        for part, state in held:
            state.closed[start] = estimate
            self.store.touch(part, _key(model, version))
        if estimate is None or merged.count < cfg.min_predictions:
            return

        self.metrics.accuracy.labels(model, version, "estimated").set(estimate)
        self._pending.append((model, "estimated"))
        record = {
            "stage": "estimated",
            "estimated": estimate,
            "confidence_mean": merged.confidence_mean,
            "calibration_labels": calibration_labels,
            "labelled_at_close": labelled,
            "prediction_partitions": len(held),
        }
        self._record(model, version, start, merged, record, out)
        if cfg.threshold is not None and estimate < cfg.threshold:
            self._alert(model, version, start, merged, record, out)

    @staticmethod
    def _estimate(
        found: OutcomeWindows | None, sums: WindowSums, cfg: EstimationConfig
    ) -> tuple[float | None, int]:
        """The window's estimate and how many labels its calibration rests on."""
        reliability = None if found is None else found.reliability
        if (
            reliability is None
            or reliability.labels < cfg.min_labels_for_calibration
            or reliability.bins != len(sums.bins)
        ):
            return sums.confidence_mean, 0
        return reliability.estimate(sums), reliability.labels

    def _settle(self, model: str, version: str, start: int, out: Output) -> None:
        cfg = self.settings(model)
        found = self._outcome_state(model, version)
        if found is None or start in found[1].settled:
            return
        part, state = found
        labelled, correct, unlabelled = state.realised.get(start, (0, 0, 0))
        held = self._held(model, version)
        estimate = next((s.closed[start] for _, s in held if start in s.closed), None)
        merged = merge_sums(s.sums[start] for _, s in held if start in s.sums)
        if not labelled or estimate is None or merged is None:
            return
        if merged.count < cfg.min_predictions:
            return
        if labelled + unlabelled < cfg.settled_share * merged.count:
            return

        realised = correct / labelled
        self.metrics.accuracy_gap.labels(model, version).set(estimate - realised)
        state.settled.add(start)
        del state.realised[start]
        self.outcomes.touch(part, _outcome_key(model, version))
        self._pending.append((model, "settled"))
        record = {
            "stage": "settled",
            "estimated": estimate,
            "realised": realised,
            "gap": estimate - realised,
            "labelled": labelled,
            "unlabelled": unlabelled,
            "confidence_mean": merged.confidence_mean,
        }
        self._record(model, version, start, merged, record, out)

    # -- output ----------------------------------------------------------------
    def _record(
        self,
        model: str,
        version: str,
        start: int,
        sums: WindowSums,
        fields: dict[str, Any],
        out: Output,
    ) -> None:
        cfg = self.settings(model)
        if cfg.windows_topic is not None:
            record = window_record(model, version, start, sums, cfg, fields)
            topic = f"{self.topics.prefix}{cfg.windows_topic}"
            out.produce(topic, orjson.dumps(record), key=model)

    def _alert(
        self,
        model: str,
        version: str,
        start: int,
        sums: WindowSums,
        record: dict[str, Any],
        out: Output,
    ) -> None:
        alert = estimated_alert(
            model, version, start, sums, self.settings(model), record
        )
        out.produce(
            self.alerts_topic,
            orjson.dumps(alert.model_dump(mode="json", exclude_none=True)),
            key=model,
        )
        self._pending.append((model, "alert"))
        logger.info(
            "estimated accuracy alert",
            extra={
                "alert_id": alert.alert_id,
                "model_id": model,
                "model_version": version,
                "window_start_ms": start,
                "estimate": round(alert.statistic, 4),
            },
        )


def _new_map(cfg: EstimationConfig) -> ReliabilityMap:
    return ReliabilityMap(
        bins=cfg.calibration_bins,
        prior=cfg.calibration_prior,
        memory=cfg.calibration_memory,
    )
