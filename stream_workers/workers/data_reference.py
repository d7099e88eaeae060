"""References read from a file or from a time range of the predictions topic.

Rows are read once per source and kept; a model's reference is built from the
rows that carry its ``model_id`` (or none) the first time one of its series
needs it, and then shared by every version, segment and partition of the model.

File formats, chosen by ``reference.format`` or the suffix (``.gz`` is read
transparently for CSV and JSON lines):

- JSON lines: one PredictionEvent object per line;
- CSV with a header, Parquet: one row per event; columns named ``model_id``,
  ``prediction`` and ``confidence`` are those fields, every other column is a
  feature (a ``features.`` prefix is dropped). Empty CSV cells are missing, cells
  that parse as numbers are numbers. Parquet needs ``pyarrow``.

A topic range is read from every partition, from the offset of the first record
whose timestamp is at or after ``start_ms`` up to the end offsets found when the
read starts, keeping events with ``start_ms <= event_time_ms < end_ms``. This
assumes a record's timestamp is not earlier than its event time, which holds
for the producer's create time.
"""

from __future__ import annotations

import csv
import gzip
import io
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from confluent_kafka import KafkaError, TopicPartition

from stream_workers.config.data import DataConfig, ReferenceConfig
from stream_workers.config.settings import KafkaSettings
from stream_workers.detectors.data import Reference, ReferenceBuilder
from stream_workers.errors import ConfigError, DecodeError
from stream_workers.kafka.clients import make_consumer
from stream_workers.kafka.records import coordinates, partition_of
from stream_workers.workers.data_decode import decode_prediction
from stream_workers.workers.data_state import infer_types

__all__ = ["ReferenceRow", "ReferenceSources", "build_reference", "column_settings"]

logger = logging.getLogger(__name__)

# Longest time a topic range may take to read at start-up.
_TOPIC_READ_TIMEOUT_S = 300.0


class ReferenceRow(NamedTuple):
    model_id: str | None
    features: dict[str, Any]
    prediction: Any
    confidence: float | None
    task: str


def column_settings(
    config: DataConfig, rows: list[dict[str, Any]], confidences: list[Any], task: str
) -> dict[str, Any]:
    """The ReferenceBuilder arguments for a model: types declared or inferred."""
    prediction_type = config.prediction_type or (
        "categorical" if task == "classification" else "numeric"
    )
    return {
        "feature_types": infer_types(rows, config.features, config.max_features),
        "prediction_type": prediction_type if config.monitor_prediction else None,
        "track_confidence": config.monitor_confidence
        and any(c is not None for c in confidences),
        "sample_cap": config.reference.sample_cap,
        "seed": config.reference.seed,
    }


def build_reference(config: DataConfig, rows: list[ReferenceRow]) -> Reference:
    """Build a reference from rows, with the model's column settings."""
    settings = column_settings(
        config,
        [r.features for r in rows],
        [r.confidence for r in rows],
        rows[0].task if rows else "classification",
    )
    builder = ReferenceBuilder(**settings)
    for row in rows:
        builder.add(row.features, prediction=row.prediction, confidence=row.confidence)
    return builder.build()


class ReferenceSources:
    """Rows of file and topic sources, read once; references per model, built once."""

    def __init__(self, kafka: KafkaSettings, predictions_topic: str) -> None:
        self.kafka = kafka
        self.topic = predictions_topic
        self._rows: dict[tuple[Any, ...], list[ReferenceRow]] = {}
        self._references: dict[tuple[Any, ...], Reference | None] = {}

    def reference(self, model_id: str, config: DataConfig) -> Reference | None:
        """The model's reference, or None when its source holds no row for it."""
        source = _source_key(config.reference)
        key = (model_id, source, config)
        if key not in self._references:
            rows = [
                r for r in self.rows(config.reference) if r.model_id in (None, model_id)
            ]
            self._references[key] = build_reference(config, rows) if rows else None
        return self._references[key]

    def rows(self, config: ReferenceConfig) -> list[ReferenceRow]:
        source = _source_key(config)
        if source not in self._rows:
            started = time.perf_counter()
            if config.source == "file":
                assert config.path is not None
                rows = list(read_file(config.path, config.format))
            else:
                assert config.start_ms is not None and config.end_ms is not None
                rows = list(self._read_topic(config.start_ms, config.end_ms))
            self._rows[source] = rows
            logger.info(
                "reference rows read",
                extra={
                    "source": config.source,
                    "rows": len(rows),
                    "seconds": round(time.perf_counter() - started, 3),
                },
            )
        return self._rows[source]

    def _read_topic(self, start_ms: int, end_ms: int) -> Iterator[ReferenceRow]:
        consumer = make_consumer(
            self.kafka,
            f"driftline-data-reference-{time.time_ns()}",
            overrides={"enable.partition.eof": True},
        )
        try:
            metadata = consumer.list_topics(self.topic, timeout=10).topics[self.topic]
            parts = sorted(metadata.partitions)
            ends = {
                p: consumer.get_watermark_offsets(TopicPartition(self.topic, p), 10)[1]
                for p in parts
            }
            starts = consumer.offsets_for_times(
                [TopicPartition(self.topic, p, start_ms) for p in parts], 10
            )
            todo = {
                tp.partition: tp.offset
                for tp in starts
                if 0 <= tp.offset < ends[tp.partition]
            }
            if not todo:
                return
            consumer.assign([TopicPartition(self.topic, p, o) for p, o in todo.items()])
            deadline = time.monotonic() + _TOPIC_READ_TIMEOUT_S
            while todo and time.monotonic() < deadline:
                for message in consumer.consume(5000, 0.5):
                    part, error = partition_of(message), message.error()
                    if error is not None:
                        if error.code() == KafkaError._PARTITION_EOF:
                            todo.pop(part, None)
                        continue
                    if part not in todo or coordinates(message)[2] >= ends[part]:
                        todo.pop(part, None)
                        continue
                    row = _topic_row(message, start_ms, end_ms)
                    if row is not None:
                        yield row
        finally:
            consumer.close()


def _source_key(config: ReferenceConfig) -> tuple[Any, ...]:
    return (
        config.source,
        str(config.path),
        config.format,
        config.start_ms,
        config.end_ms,
    )


def _topic_row(message: Any, start_ms: int, end_ms: int) -> ReferenceRow | None:
    try:
        event = decode_prediction(
            message.value(),
            topic=message.topic(),
            partition=message.partition(),
            offset=message.offset(),
        )
    except DecodeError:
        return None
    if not start_ms <= event.event_time_ms < end_ms:
        return None
    return ReferenceRow(
        event.model_id, event.features, event.prediction, event.confidence, event.task
    )


def read_file(path: Path, file_format: str | None = None) -> Iterator[ReferenceRow]:
    """Yield the rows of a reference file; raise :class:`ConfigError` when the
    file is missing or its format unknown."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(
            f"reference file {path} does not exist", field="reference.path"
        )
    suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
    kind = file_format or (suffixes[-1].lstrip(".") if suffixes else "")
    kind = {"json": "jsonl", "ndjson": "jsonl", "pq": "parquet"}.get(kind, kind)
    if kind == "jsonl":
        yield from _jsonl_rows(path)
    elif kind == "csv":
        yield from _table_rows(_csv_records(path))
    elif kind == "parquet":
        yield from _table_rows(_parquet_records(path))
    else:
        raise ConfigError(
            f"reference file {path} has an unknown format; name it .csv, .parquet "
            "or .jsonl, or set reference.format",
            field="reference.format",
        )


def _open_text(path: Path) -> io.TextIOBase:
    if path.suffix.lower() == ".gz":
        return io.TextIOWrapper(gzip.open(path), encoding="utf-8")  # type: ignore[return-value]
    return open(path, encoding="utf-8")  # noqa: SIM115 - closed by the caller


def _jsonl_rows(path: Path) -> Iterator[ReferenceRow]:
    with _open_text(path) as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                event = decode_prediction(
                    line.encode(), topic=str(path), partition=0, offset=number
                )
            except DecodeError as exc:
                raise ConfigError(
                    f"reference file {path} line {number} is not a PredictionEvent: "
                    f"{exc}",
                    field="reference.path",
                ) from exc
            yield ReferenceRow(
                event.model_id,
                event.features,
                event.prediction,
                event.confidence,
                event.task,
            )


def _csv_records(path: Path) -> Iterator[dict[str, Any]]:
    with _open_text(path) as text:
        for record in csv.DictReader(text):
            yield {k: _cell(v) for k, v in record.items()}


def _cell(value: str | None) -> Any:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except ValueError:
        return value


def _parquet_records(path: Path) -> Iterator[dict[str, Any]]:
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise ConfigError(
            "reading a Parquet reference needs pyarrow; install it or use CSV",
            field="reference.format",
        ) from exc
    yield from pq.read_table(path).to_pylist()


def _table_rows(records: Iterator[dict[str, Any]]) -> Iterator[ReferenceRow]:
    for record in records:
        model = record.pop("model_id", None)
        prediction = record.pop("prediction", None)
        confidence = record.pop("confidence", None)
        task = record.pop("task", None) or "classification"
        features = {k.removeprefix("features."): v for k, v in record.items()}
        yield ReferenceRow(
            None if model is None else str(model),
            features,
            prediction,
            None if confidence is None else float(confidence),
            str(task),
        )
