"""Message contracts: the Python side of the JSON Schemas in ``schemas/``.

Every message on a driftline topic is one of these pydantic models, encoded as JSON
with orjson. A test keeps the models and the schema files identical.
"""

from __future__ import annotations

from stream_workers.messages.codec import decode, encode, encode_dict
from stream_workers.messages.models import (
    SCHEMA_VERSION,
    ActionResult,
    AlertKind,
    AlertWindow,
    DriftAlert,
    LabelEvent,
    OutcomeEvent,
    PredictionEvent,
    RetrainRequest,
    Severity,
    Task,
    parse_event_time,
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
    "decode",
    "encode",
    "encode_dict",
    "parse_event_time",
]
