"""Rows of a report's data sets: CSV (``.csv``, ``.csv.gz``) or JSON lines."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path
from typing import IO

import orjson

from stream_workers.errors import ConfigError

__all__ = ["load_rows", "slice_rows"]

Row = dict[str, object]


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return path.open(encoding="utf-8", newline="")


def load_rows(path: str | Path) -> list[Row]:
    """Read every row of a CSV or JSON-lines file (by its extension, before .gz).

    CSV values stay strings; the report converts them by the feature's type.
    Raises :class:`ConfigError` when the file is missing or not readable.
    """
    path = Path(path)
    stem = path.with_suffix("") if path.suffix == ".gz" else path
    try:
        with _open(path) as handle:
            if stem.suffix in (".jsonl", ".ndjson", ".json"):
                return [orjson.loads(line) for line in handle if line.strip()]
            if stem.suffix in (".csv", ".tsv"):
                delimiter = "\t" if stem.suffix == ".tsv" else ","
                return [dict(r) for r in csv.DictReader(handle, delimiter=delimiter)]
    except FileNotFoundError as exc:
        raise ConfigError(f"data file {path} does not exist") from exc
    except (OSError, orjson.JSONDecodeError, csv.Error) as exc:
        raise ConfigError(f"data file {path} could not be read: {exc}") from exc
    raise ConfigError(
        f"data file {path} has an unknown format; use .csv, .tsv or .jsonl "
        "(optionally .gz)"
    )


def slice_rows(rows: list[Row], spec: str | None) -> list[Row]:
    """Rows selected by a Python-style slice ``start:stop`` (``:5000``, ``-5000:``)."""
    if not spec:
        return rows
    parts = spec.split(":")
    try:
        if len(parts) != 2:
            raise ValueError(spec)
        start, stop = (int(p) if p.strip() else None for p in parts)
    except ValueError as exc:
        raise ConfigError(
            f"row range {spec!r} is not start:stop, e.g. ':5000' or '-5000:'"
        ) from exc
    return rows[start:stop]
