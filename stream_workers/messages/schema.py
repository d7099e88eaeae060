"""The JSON Schema documents of the messages, as written to ``schemas/``.

``scripts/gen_schemas.py`` writes them; a test checks that the files in the
repository equal what the models produce, so the two cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from stream_workers.messages.models import (
    DriftAlert,
    LabelEvent,
    OutcomeEvent,
    PredictionEvent,
    RetrainRequest,
)

__all__ = ["MESSAGES", "json_schema_for", "schema_file_name"]

DRAFT = "https://json-schema.org/draft/2020-12/schema"

MESSAGES: dict[str, type[BaseModel]] = {
    "prediction": PredictionEvent,
    "label": LabelEvent,
    "outcome": OutcomeEvent,
    "drift_alert": DriftAlert,
    "retrain_request": RetrainRequest,
}


def schema_file_name(name: str, version: int = 1) -> str:
    """File name of a message's schema, versioned: ``prediction.v1.json``."""
    return f"{name}.v{version}.json"


def json_schema_for(name: str, version: int = 1) -> dict[str, Any]:
    """The complete schema document for one message, with ``$schema`` and ``$id``."""
    body = MESSAGES[name].model_json_schema(mode="validation")
    return {
        "$schema": DRAFT,
        "$id": f"urn:driftline:schema:{name}:v{version}",
        **body,
    }
