"""The pydantic models and the JSON Schema files are one contract."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from pydantic import ValidationError

from stream_workers.errors import DecodeError
from stream_workers.messages import PredictionEvent, decode, encode
from stream_workers.messages.schema import MESSAGES, json_schema_for, schema_file_name

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
EXAMPLES = sorted((SCHEMAS / "examples").glob("*/*.json"))


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_schema_file_equals_the_models_schema(name: str) -> None:
    on_disk = json.loads((SCHEMAS / schema_file_name(name)).read_text())

    jsonschema.Draft202012Validator.check_schema(on_disk)
    assert on_disk == json_schema_for(name)
    assert on_disk["$id"] == f"urn:driftline:schema:{name}:v1"


def test_every_message_has_valid_and_invalid_examples() -> None:
    kinds = {(p.parent.name, p.stem.split("_")[0]) for p in EXAMPLES}

    assert kinds == {(m, k) for m in MESSAGES for k in ("valid", "invalid")}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_example_is_judged_alike_by_schema_and_model(path: Path) -> None:
    body = json.loads(path.read_text())
    schema = json.loads((SCHEMAS / schema_file_name(path.parent.name)).read_text())
    expected_valid = path.stem.startswith("valid")

    schema_ok = jsonschema.Draft202012Validator(schema).is_valid(body)
    try:
        MESSAGES[path.parent.name].model_validate(body)
        model_ok = True
    except ValidationError:
        model_ok = False

    assert (schema_ok, model_ok) == (expected_valid, expected_valid)


def test_rfc3339_and_epoch_ms_decode_to_the_same_instant() -> None:
    base = {"request_id": "r", "model_id": "m", "prediction": 1}

    a = PredictionEvent.model_validate({**base, "event_time_ms": 1767225600250})
    b = PredictionEvent.model_validate(
        {**base, "event_time_ms": "2026-01-01T01:00:00.250+01:00"}
    )

    assert a.event_time_ms == b.event_time_ms == 1767225600250


def test_encode_emits_epoch_ms_and_round_trips() -> None:
    event = PredictionEvent(
        request_id="r",
        model_id="m",
        event_time_ms="2026-01-01T00:00:00Z",
        prediction="yes",
        features={"x": 1.5, "c": "a", "b": True, "n": None},
    )

    raw = encode(event)

    assert b'"event_time_ms":1767225600000' in raw
    assert decode(PredictionEvent, raw) == event


def test_decode_error_names_the_record_and_the_field() -> None:
    raw = b'{"request_id":"r","model_id":"m","event_time_ms":1,"prediction":[1]}'

    with pytest.raises(DecodeError) as info:
        decode(PredictionEvent, raw, topic="predictions", partition=3, offset=42)

    assert (info.value.topic, info.value.partition, info.value.offset) == (
        "predictions",
        3,
        42,
    )
    assert "prediction" in str(info.value)


def test_decode_rejects_bytes_that_are_not_json() -> None:
    with pytest.raises(DecodeError, match="not JSON"):
        decode(PredictionEvent, b"\x00\xffnot-json", topic="t", partition=0, offset=1)
