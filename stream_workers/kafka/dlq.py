"""Dead-letter records: the original key and bytes, with headers saying why."""

from __future__ import annotations

from confluent_kafka import Message

__all__ = ["DLQ_HEADERS", "dead_letter_headers"]

DLQ_HEADERS = (
    "driftline.error.class",
    "driftline.error.message",
    "driftline.source.topic",
    "driftline.source.partition",
    "driftline.source.offset",
    "driftline.worker",
)

_MAX_MESSAGE_BYTES = 2000


def dead_letter_headers(
    message: Message, error: BaseException, worker: str
) -> list[tuple[str, bytes]]:
    """Headers that name the source record and the error, original headers kept."""
    text = str(error).encode("utf-8", "replace")[:_MAX_MESSAGE_BYTES]
    ours = [
        ("driftline.error.class", type(error).__name__.encode()),
        ("driftline.error.message", text),
        ("driftline.source.topic", str(message.topic()).encode()),
        ("driftline.source.partition", str(message.partition()).encode()),
        ("driftline.source.offset", str(message.offset()).encode()),
        ("driftline.worker", worker.encode()),
    ]
    original: list[tuple[str, bytes]] = []
    headers = message.headers() or []
    pairs = headers.items() if isinstance(headers, dict) else headers
    for key, value in pairs:
        raw = value.encode() if isinstance(value, str) else (value or b"")
        original.append((key, raw))
    return ours + original
