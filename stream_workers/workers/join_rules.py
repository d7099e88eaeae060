"""The pure rules of the join: what is stored per side and what an outcome says.

Kept free of Kafka so that the rules (correctness, error, delay, expiry) are tested
on their own.
"""

from __future__ import annotations

import math
import struct
from typing import Any

import orjson

from stream_workers.messages.models import LabelEvent, PredictionEvent

__all__ = [
    "decode_state",
    "encode_state",
    "is_correct",
    "joined_outcome",
    "label_state",
    "prediction_state",
    "unlabeled_outcome",
]

_EXPIRY = struct.Struct(">q")


def encode_state(expires_ms: int, value: bytes) -> bytes:
    """Changelog value: the expiry as 8 big-endian bytes, then the stored JSON."""
    return _EXPIRY.pack(expires_ms) + value


def decode_state(raw: bytes) -> tuple[int, bytes]:
    return _EXPIRY.unpack_from(raw)[0], raw[_EXPIRY.size :]


def prediction_state(event: PredictionEvent, *, store_features: bool) -> bytes:
    """What the join keeps of a pending prediction: only what the detectors need."""
    state: dict[str, Any] = {
        "request_id": event.request_id,
        "model_id": event.model_id,
        "model_version": event.model_version,
        "task": event.task,
        "prediction": event.prediction,
        "prediction_time_ms": event.event_time_ms,
    }
    if event.segment is not None:
        state["segment"] = event.segment
    confidence = event.confidence()
    if confidence is not None:
        state["confidence"] = confidence
    if store_features and event.features:
        state["features"] = event.features
    return orjson.dumps(state)


def label_state(event: LabelEvent) -> bytes:
    """What the join keeps of a label that arrived before its prediction."""
    return orjson.dumps({"label": event.label, "label_time_ms": event.event_time_ms})


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            parsed = float(value)
        except ValueError:
            return None
        return parsed if math.isfinite(parsed) else None
    return None


def is_correct(prediction: Any, label: Any) -> bool:
    """Class equality across JSON types: 1, 1.0, "1" and true name the same class."""
    if prediction == label and type(prediction) is type(label):
        return True
    a, b = _number(prediction), _number(label)
    if a is not None and b is not None:
        return a == b
    return str(prediction).strip().lower() == str(label).strip().lower()


def joined_outcome(prediction: dict[str, Any], label: dict[str, Any]) -> dict[str, Any]:
    """The outcome of a prediction and its label, as a plain dict ready to encode."""
    outcome = dict(prediction)
    outcome["schema_version"] = 1
    outcome["label"] = label["label"]
    outcome["labeled"] = True
    outcome["label_time_ms"] = label["label_time_ms"]
    outcome["label_delay_ms"] = (
        label["label_time_ms"] - prediction["prediction_time_ms"]
    )
    if prediction["task"] == "classification":
        correct = is_correct(prediction["prediction"], label["label"])
        outcome["correct"] = correct
        outcome["error"] = 0.0 if correct else 1.0
    else:
        # A non-numeric regression label leaves error empty; the concept worker
        # dead-letters such an outcome instead of feeding it to a detector.
        p, y = _number(prediction["prediction"]), _number(label["label"])
        if p is not None and y is not None:
            outcome["error"] = p - y
    return outcome


def unlabeled_outcome(prediction: dict[str, Any]) -> dict[str, Any]:
    """The outcome of a prediction whose label never came within the TTL."""
    outcome = dict(prediction)
    outcome["schema_version"] = 1
    outcome["labeled"] = False
    return outcome
