"""The data-drift worker's state for one series (model, version, segment, partition).

A series first learns its reference (``first_n`` sources) with a
:class:`ReferenceBuilder`, then feeds a :class:`Windower`. The reference itself
lives under a key of its own in the snapshot store, written once, so that the
per-batch snapshot holds only the open windows, the alert latch and the event-time
span of each pane (what an alert reports as its window). Everything here pickles.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from stream_workers.config.data import MultivariateConfig
from stream_workers.detectors.data import (
    ClosedWindow,
    DriftLatch,
    Reference,
    ReferenceBuilder,
    Windower,
    WindowSpec,
)

__all__ = [
    "Batch",
    "EmbeddingWindow",
    "SeriesState",
    "TimedWindow",
    "finite_or_none",
    "infer_types",
    "test_embeddings",
]

# Rows looked at when feature types are inferred.
_INFER_ROWS = 1000


@dataclass
class Batch:
    """One batch's records of one series, column by column."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    predictions: list[Any] = field(default_factory=list)
    confidences: list[float | None] = field(default_factory=list)
    times_ms: list[int] = field(default_factory=list)
    embeddings: list[Any] = field(default_factory=list)
    task: str = "classification"

    def __len__(self) -> int:
        return len(self.rows)

    def tail(self, start: int) -> Batch:
        """The records from index ``start`` on."""
        return Batch(
            self.rows[start:],
            self.predictions[start:],
            self.confidences[start:],
            self.times_ms[start:],
            self.embeddings[start:],
            self.task,
        )


class TimedWindow(NamedTuple):
    """A closed window with the event-time span of its records."""

    window: ClosedWindow
    first_event_time_ms: int
    last_event_time_ms: int


def infer_types(
    rows: Iterable[Mapping[str, Any]],
    declared: Mapping[str, str],
    max_features: int,
) -> dict[str, str]:
    """Declared types, or types inferred from the first rows, capped at
    ``max_features`` (by declaration order, or by name when inferred).

    A feature whose first non-null value is a number is numeric, a string or a
    boolean categorical; one never seen with a value is not monitored.
    """
    if declared:
        return dict(list(declared.items())[:max_features])
    found: dict[str, str] = {}
    for i, row in enumerate(rows):
        if i >= _INFER_ROWS:
            break
        for name, value in row.items():
            if name in found or value is None:
                continue
            if isinstance(value, bool | str):
                found[name] = "categorical"
            elif isinstance(value, int | float):
                found[name] = "numeric"
    return {n: found[n] for n in sorted(found)[:max_features]}


class SeriesState:
    """Open windows, alert latch and pane spans of one series.

    While ``builder`` is set the series is still learning its reference from its
    first ``reference_rows`` records.
    """

    def __init__(
        self,
        spec: WindowSpec,
        *,
        rearm_after: int,
        builder: ReferenceBuilder | None = None,
        reference_rows: int = 0,
        reference: Reference | None = None,
    ) -> None:
        self.spec = spec
        self.builder = builder
        self.reference_rows = reference_rows
        self.learned = 0
        self.latch = DriftLatch(rearm_after)
        self.windower = (
            Windower(spec, reference.column_types) if reference is not None else None
        )
        self.fed = 0
        self.windows = 0
        self.reported_invalid = 0
        self.reported_late = 0
        self.spans: dict[int, list[int]] = {}
        self.embeddings: EmbeddingWindow | None = None

    def learn(self, batch: Batch) -> tuple[Reference | None, int]:
        """Feed the reference builder; return the reference once it is complete
        and how many of the batch's records it took."""
        if self.builder is None:
            return None, 0
        take = min(len(batch), self.reference_rows - self.learned)
        add = self.builder.add
        for i in range(take):
            add(
                batch.rows[i],
                prediction=batch.predictions[i],
                confidence=batch.confidences[i],
            )
        self.learned += take
        if self.learned < self.reference_rows:
            return None, take
        reference = self.builder.build()
        self.builder = None
        self.windower = Windower(self.spec, reference.column_types)
        return reference, take

    def feed(self, batch: Batch) -> list[TimedWindow]:
        """Feed the windower; return the windows it closed with their spans."""
        if self.windower is None or not len(batch):
            return []
        self._note_spans(batch.times_ms)
        closed = self.windower.add_batch(
            batch.rows,
            predictions=batch.predictions,
            confidences=batch.confidences,
            timestamps_ms=batch.times_ms,
        )
        self.fed += len(batch)
        return [self._timed(w) for w in closed]

    def _note_spans(self, times_ms: Sequence[int]) -> None:
        pane = self.spec.pane
        times = np.asarray(times_ms, dtype=np.int64)
        if self.spec.by == "count":
            ids = (self.fed + np.arange(times.size)) // pane
        else:
            ids = times // pane
        unique, inverse = np.unique(ids, return_inverse=True)
        lows = np.full(unique.size, np.iinfo(np.int64).max)
        highs = np.full(unique.size, np.iinfo(np.int64).min)
        np.minimum.at(lows, inverse, times)
        np.maximum.at(highs, inverse, times)
        spans = self.spans
        for pane_id, low, high in zip(
            unique.tolist(), lows.tolist(), highs.tolist(), strict=True
        ):
            span = spans.get(pane_id)
            if span is None:
                spans[pane_id] = [low, high]
            else:
                span[0] = min(span[0], low)
                span[1] = max(span[1], high)

    def _timed(self, window: ClosedWindow) -> TimedWindow:
        pane = self.spec.pane
        first_id, last_id = window.start // pane, (window.end - 1) // pane
        covered = [s for i, s in self.spans.items() if first_id <= i <= last_id]
        first = min((s[0] for s in covered), default=0)
        last = max((s[1] for s in covered), default=0)
        # The next window starts at least one pane later.
        for pane_id in [i for i in self.spans if i <= first_id]:
            del self.spans[pane_id]
        return TimedWindow(window, first, last)


class EmbeddingWindow:
    """Reference and current embeddings for the MMD test, as float32 matrices."""

    def __init__(self, reference_size: int, window_size: int) -> None:
        self.reference_size = reference_size
        self.window_size = window_size
        self.dims: int | None = None
        self.reference: np.ndarray | None = None
        self.current: np.ndarray | None = None
        self.filled = 0
        self.first_ms = 0
        self.last_ms = 0
        self.ready = False
        self.tests = 0

    def add(self, vectors: Sequence[Any], times_ms: Sequence[int]) -> tuple[int, list]:
        """Add vectors; return how many were refused and the full windows as
        ``(reference, current, first_ms, last_ms)`` tuples."""
        refused, full = 0, []
        for vector, time_ms in zip(vectors, times_ms, strict=True):
            row = self._row(vector)
            if row is None:
                refused += 1
                continue
            done = self._put(row, time_ms)
            if done is not None:
                full.append(done)
        return refused, full

    def _row(self, vector: Any) -> np.ndarray | None:
        if not isinstance(vector, list) or not vector:
            return None
        if self.dims is not None and len(vector) != self.dims:
            return None
        try:
            row = np.asarray(vector, dtype=np.float32)
        except (TypeError, ValueError):
            return None
        if row.ndim != 1 or not np.isfinite(row).all():
            return None
        if self.dims is None:
            self.dims = row.size
            self.reference = np.empty((self.reference_size, row.size), np.float32)
            self.current = np.empty((self.window_size, row.size), np.float32)
        return row

    def _put(self, row: np.ndarray, time_ms: int) -> tuple | None:
        assert self.reference is not None and self.current is not None
        if not self.ready:
            self.reference[self.filled] = row
            self.filled += 1
            if self.filled == self.reference_size:
                self.ready, self.filled = True, 0
            return None
        if self.filled == 0:
            self.first_ms = self.last_ms = time_ms
        self.current[self.filled] = row
        self.filled += 1
        self.first_ms = min(self.first_ms, time_ms)
        self.last_ms = max(self.last_ms, time_ms)
        if self.filled < self.window_size:
            return None
        self.filled = 0
        self.tests += 1
        return self.reference, self.current.copy(), self.first_ms, self.last_ms


def test_embeddings(
    state: SeriesState, batch: Batch, settings: MultivariateConfig
) -> tuple[int, list[tuple[Any, int, int, int]]]:
    """Add the batch's embeddings to the series and run the MMD test on every
    window they fill; return how many were refused and ``(result, window index,
    first_ms, last_ms)`` per test. Records without an embedding are left out."""
    pairs = [
        (e, t)
        for e, t in zip(batch.embeddings, batch.times_ms, strict=True)
        if e is not None
    ]
    if not pairs:
        return 0, []
    if state.embeddings is None:
        state.embeddings = EmbeddingWindow(
            settings.reference_size, settings.window_size
        )
    window = state.embeddings
    refused, full = window.add([e for e, _ in pairs], [t for _, t in pairs])
    if not full:
        return refused, []

    # Imported only here: torch is an optional extra of the package.
    from stream_workers.serving.mmd import mmd_test

    results = []
    for index, (reference, current, first_ms, last_ms) in enumerate(
        full, start=window.tests - len(full) + 1
    ):
        result = mmd_test(
            reference,
            current,
            permutations=settings.permutations,
            seed=index,
            device=settings.device,
        )
        results.append((result, index, first_ms, last_ms))
    return refused, results


def finite_or_none(value: float | None) -> float | None:
    """The value when it is a finite number, otherwise None (JSON has no NaN)."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)
