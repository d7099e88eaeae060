"""JSON encoding of messages through orjson, and decoding into our own errors."""

from __future__ import annotations

from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError

from stream_workers.errors import DecodeError

__all__ = ["decode", "encode", "encode_dict"]

M = TypeVar("M", bound=BaseModel)


def encode(message: BaseModel) -> bytes:
    """Encode a message as compact JSON, leaving out fields that are None."""
    return orjson.dumps(message.model_dump(mode="json", exclude_none=True))


def encode_dict(payload: dict[str, Any]) -> bytes:
    """Encode an already-validated plain dict (the hot path of the workers)."""
    return orjson.dumps(payload)


def decode(
    model: type[M],
    value: bytes | None,
    *,
    topic: str | None = None,
    partition: int | None = None,
    offset: int | None = None,
) -> M:
    """Decode and validate one record value, or raise :class:`DecodeError`.

    The error names the record's topic, partition and offset and the first fields
    that failed, so that the DLQ record says exactly what to fix at the producer.
    """

    def error(message: str) -> DecodeError:
        return DecodeError(message, topic=topic, partition=partition, offset=offset)

    if value is None:
        raise error("record has no value (a tombstone?)")
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise error(f"value is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise error("value is JSON but not an object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
            for err in exc.errors()[:3]
        )
        raise error(f"{model.__name__} is invalid: {problems}") from exc
