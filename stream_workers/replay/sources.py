"""Labelled streams to replay: river's synthetic generators and CSV / ARFF files.

Every source yields ``(features, label)`` pairs in stream order and knows its
drift positions when they are known, so a run can be scored.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stream_workers.errors import ConfigError

__all__ = ["SYNTHETIC", "Source", "open_source"]

Row = tuple[dict[str, Any], Any]


@dataclass
class Source:
    """A named, finite, labelled stream with its known drift positions."""

    name: str
    rows: Iterator[Row]
    length: int | None
    drifts: list[int] = field(default_factory=list)


def _sea(length: int, drift_at: int, seed: int) -> Iterator[Row]:
    from river.datasets import synth

    # river's ConceptDriftStream overflows math.exp for positions far from the
    # drift, so an abrupt change is composed by hand: concept 0, then concept 3.
    before = synth.SEA(variant=0, noise=0.05, seed=seed)
    after = synth.SEA(variant=3, noise=0.05, seed=seed + 1)
    head = itertools.islice(iter(before), min(drift_at, length))
    tail = itertools.islice(iter(after), max(length - drift_at, 0))
    for x, y in itertools.chain(head, tail):
        yield {k: float(v) for k, v in x.items()}, int(y)


def _agrawal(length: int, drift_at: int, seed: int) -> Iterator[Row]:
    from river.datasets import synth

    before = synth.Agrawal(classification_function=0, seed=seed)
    after = synth.Agrawal(classification_function=2, seed=seed + 1)
    head = itertools.islice(iter(before), min(drift_at, length))
    tail = itertools.islice(iter(after), max(length - drift_at, 0))
    yield from itertools.chain(head, tail)


SYNTHETIC = {"sea": _sea, "agrawal": _agrawal}


def _open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return open(path, encoding="utf-8")  # noqa: SIM115 - closed by the reader


def _value(text: str) -> Any:
    text = text.strip().strip("'\"")
    if text in ("?", ""):
        return None
    try:
        return float(text)
    except ValueError:
        return text


def _csv_rows(path: Path, target: str | None, header: bool) -> Iterator[Row]:
    with _open_text(path) as handle:
        reader = csv.reader(handle)
        names: list[str] | None = None
        for record in reader:
            if not record:
                continue
            if names is None:
                if header:
                    names = [n.strip() for n in record]
                    continue
                names = [f"f{i}" for i in range(len(record) - 1)] + ["class"]
            row = dict(zip(names, (_value(v) for v in record), strict=False))
            label_name = target or names[-1]
            label = row.pop(label_name)
            yield row, label


def _arff_rows(path: Path, target: str | None) -> Iterator[Row]:
    with _open_text(path) as handle:
        names: list[str] = []
        in_data = False
        for line in handle:
            line = line.strip()
            if not line or line.startswith("%"):
                continue
            lower = line.lower()
            if not in_data:
                if lower.startswith("@attribute"):
                    names.append(line.split()[1].strip("'\""))
                elif lower.startswith("@data"):
                    in_data = True
                continue
            values = [_value(v) for v in line.split(",")]
            row = dict(zip(names, values, strict=False))
            label = row.pop(target or names[-1])
            yield row, label


def _count_rows(path: Path, arff: bool) -> int:
    with _open_text(path) as handle:
        if not arff:
            return sum(1 for line in handle if line.strip())
        count, in_data = 0, False
        for line in handle:
            stripped = line.strip()
            if in_data and stripped and not stripped.startswith("%"):
                count += 1
            elif stripped.lower().startswith("@data"):
                in_data = True
        return count


KNOWN_DRIFTS = {
    "sea_street_kim_50k": [12_500, 25_000, 37_500],
    "tornado_sine1_w_50_n_0.1_101": [20_000, 40_000, 60_000, 80_000],
    "tornado_mixed_w_50_n_0.1_101": [20_000, 40_000, 60_000, 80_000],
    "insects_gradual_balanced": [14_028],
}


def open_source(
    spec: str,
    *,
    length: int = 20_000,
    drift_at: int = 10_000,
    seed: int = 7,
    target: str | None = None,
    header: bool | None = None,
) -> Source:
    """A source from a synthetic name (``sea``, ``agrawal``) or a file path.

    Files: CSV (header unless ``header=False``; INSECTS has none and is detected
    by name) or ARFF, optionally gzip-compressed; the label is ``target`` or the
    last column.
    """
    if spec in SYNTHETIC:
        rows = SYNTHETIC[spec](length, drift_at, seed)
        return Source(spec, rows, length, [drift_at] if drift_at < length else [])
    path = Path(spec)
    if not path.exists():
        raise ConfigError(
            f"replay source {spec!r} is neither a synthetic stream "
            f"({', '.join(SYNTHETIC)}) nor an existing file",
            field="source",
        )
    stem = path.name
    for suffix in (".gz", ".csv", ".arff"):
        stem = stem.removesuffix(suffix)
    arff = ".arff" in path.suffixes
    if arff:
        rows = _arff_rows(path, target)
        total = _count_rows(path, arff=True)
    else:
        has_header = header if header is not None else not stem.startswith("insects")
        rows = _csv_rows(path, target, has_header)
        total = _count_rows(path, arff=False) - (1 if has_header else 0)
    return Source(stem, rows, total, KNOWN_DRIFTS.get(stem, []))
