"""Fast decoding of prediction events for the data-drift worker.

Validating every record with the pydantic model costs tens of microseconds, a
budget the worker cannot spend at 100,000 records per second. The fast path
decodes with orjson and checks by hand the envelope fields the worker uses
(identifiers, event time, task, prediction, probabilities, segment) and that no
unknown top-level field is present. Anything it does not accept goes to the
pydantic model, which either accepts it (the fast path is stricter on a few
shapes, such as RFC 3339 event times) or raises the precise :class:`DecodeError`
that the dead-letter record carries.

Feature values are not checked one by one here: the column normaliser of the
statistics layer counts a value of the wrong shape as invalid, and the worker
reports it in ``driftline_data_records_skipped_total``. A record the contract
would refuse only because of one feature value is therefore monitored, not
dead-lettered.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import orjson

from stream_workers.messages.codec import decode
from stream_workers.messages.models import PredictionEvent, parse_event_time

__all__ = ["Prediction", "decode_prediction"]

_FIELDS = frozenset(PredictionEvent.model_fields)
_MAX_ID = 256
_EMPTY: dict[str, Any] = {}


class Prediction(NamedTuple):
    """The fields of one prediction event that the data-drift worker uses."""

    model_id: str
    model_version: str
    segment: str | None
    event_time_ms: int
    task: str
    features: dict[str, Any]
    prediction: Any
    confidence: float | None
    embedding: list[Any] | None


class _Refused(Exception):
    """The fast path does not accept the record; the pydantic model decides."""


def decode_prediction(
    value: bytes | None, *, topic: str, partition: int, offset: int
) -> Prediction:
    """Decode one record value; raise :class:`DecodeError` when it is invalid."""
    try:
        return _fast(value)
    except _Refused:
        pass
    event = decode(
        PredictionEvent, value, topic=topic, partition=partition, offset=offset
    )
    return Prediction(
        event.model_id,
        event.model_version,
        event.segment,
        event.event_time_ms,
        event.task,
        dict(event.features),
        event.prediction,
        event.confidence(),
        event.embedding,
    )


def _fast(value: bytes | None) -> Prediction:
    if value is None:
        raise _Refused
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise _Refused from exc
    if type(data) is not dict or not data.keys() <= _FIELDS:
        raise _Refused
    get = data.get

    version = get("schema_version", 1)
    if version != 1 or type(version) is not int:
        raise _Refused
    _identifier(get("request_id"))
    model_id = _identifier(get("model_id"))
    model_version = _identifier(get("model_version", "unversioned"))
    segment = get("segment")
    if segment is not None:
        _identifier(segment)

    event_time = get("event_time_ms")
    if type(event_time) is not int:
        try:
            event_time = parse_event_time(event_time)
        except ValueError as exc:
            raise _Refused from exc
    elif not 0 <= event_time <= 253_402_300_799_999:
        raise _Refused
    task = get("task", "classification")
    if task not in ("classification", "regression"):
        raise _Refused

    prediction = get("prediction")
    kind = type(prediction)
    if isinstance(prediction, float):
        if not math.isfinite(prediction):
            raise _Refused
    elif kind is not str and kind is not int and kind is not bool:
        raise _Refused
    features = get("features", _EMPTY)
    if type(features) is not dict:
        raise _Refused
    embedding = get("embedding")
    if embedding is not None and type(embedding) is not list:
        raise _Refused

    return Prediction(
        model_id,
        model_version,
        segment,
        event_time,
        task,
        features,
        prediction,
        _confidence(get("probabilities")),
        embedding,
    )


def _identifier(value: object) -> str:
    if type(value) is not str or not 0 < len(value) <= _MAX_ID:
        raise _Refused
    return value  # type: ignore[return-value]


def _confidence(probabilities: object) -> float | None:
    if probabilities is None:
        return None
    if type(probabilities) is not dict:
        raise _Refused
    best: float | None = None
    for p in probabilities.values():  # type: ignore[attr-defined]
        kind = type(p)
        if (kind is not float and kind is not int) or not 0.0 <= p <= 1.0:
            raise _Refused
        if best is None or p > best:
            best = p
    return None if best is None else float(best)
