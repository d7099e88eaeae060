"""Pydantic models of the five driftline messages, version 1.

Event time is accepted as epoch milliseconds or an RFC 3339 string with an offset and
is always emitted as epoch milliseconds (``*_ms`` fields). Features are a flat map
of name to number, string, boolean or null.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    WithJsonSchema,
)

__all__ = [
    "SCHEMA_VERSION",
    "ActionResult",
    "AlertKind",
    "AlertWindow",
    "DriftAlert",
    "LabelEvent",
    "OutcomeEvent",
    "PredictionEvent",
    "RetrainRequest",
    "Severity",
    "Task",
    "parse_event_time",
]

SCHEMA_VERSION = 1

Task = Literal["classification", "regression"]
AlertKind = Literal[
    "concept",
    "performance",
    "data",
    "prediction",
    "confidence",
    "estimated",
    "multivariate",
]
Severity = Literal["info", "warning", "critical"]

# Year 1970 to 9999 in epoch milliseconds: anything else is a unit mistake.
_MAX_EPOCH_MS = 253_402_300_799_999


def parse_event_time(value: Any) -> int:
    """Return epoch milliseconds for an int (ms) or an RFC 3339 string with offset.

    Naive timestamps are refused: a time without an offset means different instants
    on different producers.
    """
    if isinstance(value, bool):
        raise ValueError("event time must be epoch milliseconds or RFC 3339, not bool")
    if isinstance(value, int):
        if not 0 <= value <= _MAX_EPOCH_MS:
            raise ValueError("event time in epoch milliseconds is out of range")
        return value
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError as exc:
            # The value itself stays out of the message: it may be anything.
            raise ValueError("event time string is not RFC 3339") from exc
        if parsed.tzinfo is None:
            raise ValueError("event time has no UTC offset; add 'Z' or '+00:00'")
        return int(round(parsed.timestamp() * 1000))
    raise ValueError("event time must be epoch milliseconds or an RFC 3339 string")


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("number must be finite")
    return value


EventTimeMs = Annotated[
    int,
    BeforeValidator(parse_event_time),
    WithJsonSchema(
        {
            "oneOf": [
                {"type": "integer", "minimum": 0, "maximum": _MAX_EPOCH_MS},
                {
                    "type": "string",
                    "format": "date-time",
                    "pattern": "(Z|z|[+-][0-9]{2}:[0-9]{2})$",
                },
            ],
            "description": "Event time: epoch milliseconds (emitted) or RFC 3339.",
        }
    ),
]
Id = Annotated[StrictStr, Field(min_length=1, max_length=256)]
FiniteFloat = Annotated[StrictFloat, BeforeValidator(_finite)]
FeatureValue = StrictBool | StrictInt | FiniteFloat | StrictStr | None
Scalar = Annotated[
    StrictBool | StrictInt | StrictFloat | StrictStr,
    BeforeValidator(_finite),
    WithJsonSchema({"type": ["boolean", "number", "string"]}),
]
Features = Annotated[
    dict[str, FeatureValue],
    WithJsonSchema(
        {
            "type": "object",
            "additionalProperties": {"type": ["number", "string", "boolean", "null"]},
            "description": "Flat map of feature name to number, string, bool or null.",
        }
    ),
]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
SchemaVersion = Annotated[
    int, WithJsonSchema({"const": SCHEMA_VERSION, "type": "integer"})
]


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: SchemaVersion = Field(default=SCHEMA_VERSION)

    def model_post_init(self, context: Any, /) -> None:
        if self.schema_version != SCHEMA_VERSION:
            raise ValueError(f"schema_version must be {SCHEMA_VERSION}")


class PredictionEvent(_Message):
    """One prediction of a served model, keyed by ``request_id`` on ``predictions``."""

    request_id: Id
    model_id: Id
    model_version: Id = "unversioned"
    event_time_ms: EventTimeMs
    task: Task = "classification"
    features: Features = Field(default_factory=dict)
    prediction: Scalar
    probabilities: dict[str, Probability] | None = None
    segment: Id | None = None
    embedding: list[float] | None = None
    uncertainty: dict[str, float] | None = None
    serving_tier: Id | None = None

    def confidence(self) -> float | None:
        """The largest class probability, or None when the model gave none."""
        if not self.probabilities:
            return None
        return max(self.probabilities.values())


class LabelEvent(_Message):
    """The true outcome for one request, keyed by ``request_id`` on ``labels``."""

    request_id: Id
    model_id: Id | None = None
    event_time_ms: EventTimeMs
    label: Scalar


class OutcomeEvent(_Message):
    """A prediction joined with its label (or expired without one), on ``outcomes``.

    ``error`` is 0 or 1 for classification (1 = wrong) and prediction minus label for
    regression; both are null for an unlabeled outcome.
    """

    request_id: Id
    model_id: Id
    model_version: Id
    segment: Id | None = None
    task: Task
    prediction: Scalar
    label: Scalar | None = None
    labeled: bool
    correct: bool | None = None
    error: float | None = None
    confidence: Probability | None = None
    prediction_time_ms: EventTimeMs
    label_time_ms: EventTimeMs | None = None
    label_delay_ms: int | None = None
    features: Features | None = None


class AlertWindow(BaseModel):
    """The events an alert is about: first and last event time and their count."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    first_event_time_ms: EventTimeMs
    last_event_time_ms: EventTimeMs
    count: Annotated[int, Field(ge=0)]


class DriftAlert(_Message):
    """One detected drift, keyed by ``model_id`` on ``alerts``.

    ``alert_id`` is derived from the model, detector and the window it covers, so
    that a replay after a crash produces the same ID and consumers can dedupe on it.
    """

    alert_id: Id
    model_id: Id
    model_version: Id
    segment: Id | None = None
    kind: AlertKind
    detector: Id
    feature: Id | None = None
    test: Id | None = None
    statistic: float
    threshold: float | None = None
    p_value: float | None = None
    p_value_corrected: float | None = None
    effect_size: float | None = None
    effect_size_name: str | None = None
    severity: Severity
    window: AlertWindow
    reference_size: int | None = None
    detected_at_ms: EventTimeMs
    details: dict[str, Scalar | None] = Field(default_factory=dict)


class ActionResult(BaseModel):
    """The result of one retrain action (Kafka, Airflow, webhook) for a decision."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    action: Id
    status: Literal["succeeded", "failed", "skipped"]
    attempts: Annotated[int, Field(ge=0)]
    error: str | None = None
    external_id: str | None = None


class RetrainRequest(_Message):
    """A retrain decision, taken or not, keyed by ``model_id`` on ``retrain-requests``.

    The topic is the audit trail: suppressed decisions are recorded with the rule
    that suppressed them.
    """

    decision_id: Id
    model_id: Id
    model_version: Id | None = None
    status: Literal["triggered", "suppressed", "failed"]
    reason: str
    rule: Id
    alert_ids: list[Id] = Field(default_factory=list)
    decided_at_ms: EventTimeMs
    requested_by: Literal["policy", "manual"] = "policy"
    actions: list[ActionResult] = Field(default_factory=list)
