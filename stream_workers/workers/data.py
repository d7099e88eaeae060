"""The data-drift worker: feature, prediction and confidence drift per model.

Consumes ``predictions`` (group ``driftline-data``) and produces ``DriftAlert``
records of kind ``data``, ``prediction``, ``confidence`` and ``multivariate`` to
``alerts``, keyed by model ID.

**State is per input partition.** Predictions are keyed by request ID, so every
model's events are spread over all partitions. Each partition keeps its own
series per model, version (and segment, when configured): its own reference
(``first_n`` counts per partition), its own windows (``window.size`` counts or
spans per partition) and its own alert latch. Partitions are therefore
independent, a rebalance moves a partition's state with it (changelog partition
N holds the state of input partition N), and the worker scales by adding
replicas up to the partition count without a repartition topic. The price: a
window of 5,000 on 8 partitions needs 40,000 events of a model before every
partition has judged one window, and a drift that reaches all partitions raises
one alert per partition. The alerts share model, version, kind and feature and
differ in ``details.partition`` and ``alert_id``; a consumer that wants one
alert per drift groups on the first four.

The reference (from the first events, a file or a topic time range) is
checkpointed once under its own key; the open windows, the latch and the event
time spans are checkpointed after every batch that changed them, in the same
transaction as the alerts and the input offsets. An aborted transaction drops
the in-memory state of the partitions it touched and reads them back from the
changelog. Segments beyond ``max_segments - 1`` per model version and partition
are folded into ``"other"`` in the order they first appear.

Limits: the MMD test (``multivariate.enabled``) takes its reference from the
first ``multivariate.reference_size`` embeddings of each series, whatever the
feature reference source, and runs inside the transaction; keep its windows
small or the transaction timeout large.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

import orjson
from confluent_kafka import Message, TopicPartition

from stream_workers.config.data import DataConfig
from stream_workers.config.models import DriftlineConfig, load_config
from stream_workers.config.settings import KafkaSettings, TopicSettings, WorkerSettings
from stream_workers.detectors.data import (
    OTHER_SEGMENT,
    DataDriftEvaluator,
    DriftConfig,
    Reference,
    ReferenceBuilder,
)
from stream_workers.errors import DecodeError
from stream_workers.kafka.loop import Output
from stream_workers.kafka.records import coordinates
from stream_workers.state.snapshots import SnapshotStore
from stream_workers.workers.data_alerts import (
    Series,
    latch_states,
    mmd_alert,
    record_window,
    window_alerts,
)
from stream_workers.workers.data_decode import decode_prediction
from stream_workers.workers.data_metrics import DataMetrics
from stream_workers.workers.data_reference import ReferenceSources, column_settings
from stream_workers.workers.data_state import Batch, SeriesState, test_embeddings
from stream_workers.workers.runtime import WorkerContext, run_worker

__all__ = ["DEFAULT_BATCH_SIZE", "DataProcessor", "build", "input_topics", "main"]

logger = logging.getLogger(__name__)

# Records per transaction unless DRIFTLINE_BATCH_SIZE says otherwise: larger than
# the other workers', because a snapshot per batch and series is the main cost.
DEFAULT_BATCH_SIZE = 5000

_SEP = "\x1f"
_UNKNOWN = object()


class DataProcessor:
    """The data-drift batch logic, plugged into the transactional loop."""

    def __init__(
        self,
        *,
        kafka: KafkaSettings,
        topics: TopicSettings,
        config: DriftlineConfig,
        metrics: DataMetrics,
        sources: ReferenceSources | None = None,
    ) -> None:
        self.config = config
        self.metrics = metrics
        self.alerts = topics.name("alerts")
        self.store = SnapshotStore(kafka, topics.changelog("data"))
        self.sources = sources or ReferenceSources(kafka, topics.name("predictions"))
        self._models: dict[str, DataConfig | None] = {}
        self._drift: dict[str, DriftConfig] = {}
        self._owned: set[int] = set()
        self._touched: set[int] = set()
        self._after_commit: list[Callable[[], None]] = []

    # -- assignment ------------------------------------------------------------
    def assign(self, partitions: list[TopicPartition]) -> None:
        new = sorted({tp.partition for tp in partitions} - self._owned)
        if new:
            self.store.restore(new)
            self._owned.update(new)

    def revoke(self, partitions: list[TopicPartition]) -> None:
        parts = sorted({tp.partition for tp in partitions})
        self.store.release(parts)
        self._owned.difference_update(parts)

    def preload(self) -> None:
        """Read file and topic references of the configured models now, so that
        the first batch does not wait for them."""
        for model_id in self.config.models:
            config = self._model_config(model_id)
            if config is not None and config.reference.source != "first_n":
                self.sources.reference(model_id, config)
        defaults = self.config.defaults.data
        if defaults.enabled and defaults.reference.source != "first_n":
            self.sources.rows(defaults.reference)

    # -- the batch -------------------------------------------------------------
    def process(self, messages: list[Message], out: Output) -> None:
        for (part, model, version, segment), batch in self._group(messages, out):
            self._touched.add(part)
            self._run(Series(model, version, segment, part), batch, out)
        self.store.write(out)

    def _group(
        self, messages: list[Message], out: Output
    ) -> list[tuple[tuple[int, str, str, str | None], Batch]]:
        batches: dict[tuple[int, str, str, str | None], Batch] = {}
        models = self._models
        for message in messages:
            topic, part, offset = coordinates(message)
            try:
                event = decode_prediction(
                    message.value(), topic=topic, partition=part, offset=offset
                )
            except DecodeError as exc:
                out.reject(message, exc)
                continue
            config = models.get(event.model_id, _UNKNOWN)
            if config is _UNKNOWN:
                config = self._model_config(event.model_id)
            if config is None:
                self._skip(event.model_id, "disabled_model", 1)
                continue
            assert isinstance(config, DataConfig)
            segment = None
            if config.per_segment:
                segment = self._segment(part, event.model_id, event, config)

            key = (part, event.model_id, event.model_version, segment)
            batch = batches.get(key)
            if batch is None:
                batch = batches[key] = Batch(task=event.task)
            batch.rows.append(event.features)
            batch.predictions.append(event.prediction)
            batch.confidences.append(event.confidence)
            batch.times_ms.append(event.event_time_ms)
            batch.embeddings.append(event.embedding)
        return list(batches.items())

    def _model_config(self, model_id: str) -> DataConfig | None:
        config = self.config.for_model(model_id).data
        self._models[model_id] = config if config.enabled else None
        if config.enabled:
            self._drift[model_id] = config.drift_config()
        return self._models[model_id]

    def _segment(self, part: int, model_id: str, event: Any, config: DataConfig) -> str:
        segment = event.segment or "none"
        key = f"{model_id}{_SEP}{event.model_version}{_SEP}#segments"
        kept: set[str] = self.store.get(part, key, set)
        if segment in kept:
            return segment
        if len(kept) < config.max_segments - 1:
            kept.add(segment)
            self.store.touch(part, key)
            return segment
        return OTHER_SEGMENT

    def _run(self, series: Series, batch: Batch, out: Output) -> None:
        config = self._models[series.model_id]
        assert config is not None
        base = _SEP.join((series.model_id, series.model_version, series.segment or ""))
        bucket = self.store.objects.setdefault(series.partition, {})
        state: SeriesState | None = bucket.get(base + _SEP + "w")
        reference: Reference | None = bucket.get(base + _SEP + "r")

        if state is None:
            state, reference = self._start(series, batch, config)
            if state is None:
                self._skip(series.model_id, "no_reference", len(batch))
                return
            bucket[base + _SEP + "w"] = state
            if reference is not None:
                self._keep_reference(series, base, reference, config.reference.source)

        learned, taken = state.learn(batch)
        if learned is not None:
            reference = learned
            self._keep_reference(series, base, learned, "first_n")
        rest = batch.tail(taken) if taken else batch

        for timed in state.feed(rest):
            assert reference is not None
            self._judge(series, state, reference, timed, config, out)
        if config.multivariate.enabled:
            self._multivariate(series, state, rest, config, out)
        self._count_skips(series.model_id, state)
        self.store.touch(series.partition, base + _SEP + "w")

    def _start(
        self, series: Series, batch: Batch, config: DataConfig
    ) -> tuple[SeriesState | None, Reference | None]:
        spec = config.window.spec()
        rearm = config.cooldown_windows
        if config.reference.source == "first_n":
            settings = column_settings(
                config, batch.rows, batch.confidences, batch.task
            )
            builder = ReferenceBuilder(**settings)
            state = SeriesState(
                spec,
                rearm_after=rearm,
                builder=builder,
                reference_rows=config.reference.first_n,
            )
            return state, None
        reference = self.sources.reference(series.model_id, config)
        if reference is None:
            return None, None
        return SeriesState(spec, rearm_after=rearm, reference=reference), reference

    def _keep_reference(
        self, series: Series, base: str, reference: Reference, source: str
    ) -> None:
        self.store.objects[series.partition][base + _SEP + "r"] = reference
        self.store.touch(series.partition, base + _SEP + "r")
        counter = self.metrics.references.labels(series.model_id, source)
        self._after_commit.append(counter.inc)
        logger.info(
            "reference ready",
            extra={
                "model_id": series.model_id,
                "model_version": series.model_version,
                "partition": series.partition,
                "source": source,
                "rows": reference.n_rows,
            },
        )

    def _judge(
        self,
        series: Series,
        state: SeriesState,
        reference: Reference,
        timed: Any,
        config: DataConfig,
        out: Output,
    ) -> None:
        evaluator = DataDriftEvaluator(reference, self._drift[series.model_id])
        report = evaluator.evaluate(timed.window)
        state.windows += 1
        raised = state.latch.update(latch_states(report, config))
        alerts = window_alerts(series, timed, report, raised, config)
        self._emit(series, alerts, out)
        self._after_commit.append(
            partial(record_window, self.metrics, series.model_id, report)
        )

    def _multivariate(
        self,
        series: Series,
        state: SeriesState,
        batch: Batch,
        config: DataConfig,
        out: Output,
    ) -> None:
        settings = config.multivariate
        refused, results = test_embeddings(state, batch, settings)
        if refused:
            self._skip(series.model_id, "invalid_embedding", refused)
        for result, index, first_ms, last_ms in results:
            drift = result.p_value < settings.alpha
            if state.latch.update({"embedding": drift}):
                alert = mmd_alert(
                    series, result, settings.alpha, index, first_ms, last_ms
                )
                self._emit(series, [alert], out)

    def _emit(self, series: Series, alerts: list[dict[str, Any]], out: Output) -> None:
        for alert in alerts:
            out.produce(self.alerts, orjson.dumps(alert), key=series.model_id)
            counter = self.metrics.alerts.labels(series.model_id, alert["kind"])
            self._after_commit.append(counter.inc)
            logger.info(
                "drift alert",
                extra={
                    "model_id": series.model_id,
                    "model_version": series.model_version,
                    "partition": series.partition,
                    "kind": alert["kind"],
                    "feature": alert.get("feature"),
                    "alert_id": alert["alert_id"],
                },
            )

    def _count_skips(self, model_id: str, state: SeriesState) -> None:
        windower = state.windower
        if windower is None:
            return
        invalid = windower.invalid_count - state.reported_invalid
        late = windower.late_count - state.reported_late
        state.reported_invalid, state.reported_late = (
            windower.invalid_count,
            windower.late_count,
        )
        if invalid:
            self._skip(model_id, "invalid_value", invalid)
        if late:
            self._skip(model_id, "late", late)

    def _skip(self, model_id: str, reason: str, count: int) -> None:
        counter = self.metrics.skipped.labels(model_id, reason)
        self._after_commit.append(partial(counter.inc, count))

    # -- after the transaction -------------------------------------------------
    def committed(self) -> None:
        for apply in self._after_commit:
            apply()
        self._after_commit.clear()
        self._touched.clear()

    def aborted(self) -> None:
        self._after_commit.clear()
        self.store.forget_changes()
        touched = sorted(self._touched & self._owned)
        self._touched.clear()
        if touched:
            # The in-memory series ran ahead of the changelog: read them back.
            self.store.restore(touched)


def build(
    context: WorkerContext, config: DriftlineConfig | None = None
) -> DataProcessor:
    """Load the model configuration and the file and topic references."""
    processor = DataProcessor(
        kafka=context.kafka,
        topics=context.topics,
        config=config or load_config(context.worker.config_file),
        metrics=DataMetrics.create(context.registry),
    )
    processor.preload()
    return processor


def input_topics(topics: TopicSettings) -> list[str]:
    return [topics.name("predictions")]


def main(config: DriftlineConfig | None = None, **overrides: Any) -> None:
    """Run the data-drift worker until SIGTERM (``driftline worker data``)."""
    worker = overrides.pop("worker", None) or WorkerSettings()
    if "batch_size" not in worker.model_fields_set:
        worker = worker.model_copy(update={"batch_size": DEFAULT_BATCH_SIZE})
    run_worker(
        "data", partial(build, config=config), input_topics, worker=worker, **overrides
    )
