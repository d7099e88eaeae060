"""Tumbling and sliding windows, by record count or by event time.

A window is built from *panes* of ``step`` records (or ``step`` milliseconds);
a tumbling window is one pane, a sliding window the last ``size // step`` panes.
Raw values are appended to one Python list per column (no per-record dicts), and
each list is converted to a numpy column once, when its pane closes; a closing
window only concatenates the columns of its panes.

Event-time windows close a pane once the largest timestamp seen passes the pane's
end plus ``grace_ms``. A record for a pane that has already closed is counted in
:attr:`Windower.late_count` and dropped. Values a test cannot take (see
:mod:`.columns`) are counted in :attr:`Windower.invalid_count` once, when their
pane closes, however many sliding windows then hold them. Windows with no record
are not emitted; a sliding window is emitted while any of its panes holds a
record. Count windows are emitted only when full, except by
:meth:`Windower.flush`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from ...errors import ConfigError, InvalidInputError
from .columns import CONFIDENCE, PREDICTION, Column, merge_columns, to_column
from .results import FeatureType

__all__ = ["ClosedWindow", "WindowBy", "WindowKind", "WindowSpec", "Windower"]

WindowKind = Literal["tumbling", "sliding"]
WindowBy = Literal["count", "time"]


@dataclass(frozen=True, slots=True)
class WindowSpec:
    """How records are grouped into windows.

    ``size`` and ``step`` are records when ``by="count"`` and milliseconds when
    ``by="time"``. ``step`` is for sliding windows only and must divide ``size``;
    it defaults to ``size`` (which makes the window tumbling).
    """

    kind: WindowKind = "tumbling"
    by: WindowBy = "count"
    size: int = 10_000
    step: int | None = None
    grace_ms: int = 0

    def __post_init__(self) -> None:
        if self.kind not in ("tumbling", "sliding"):
            raise ConfigError(
                f"window kind must be 'tumbling' or 'sliding', not {self.kind!r}",
                field="window.kind",
            )
        if self.by not in ("count", "time"):
            raise ConfigError(
                f"window by must be 'count' or 'time', not {self.by!r}",
                field="window.by",
            )
        if not isinstance(self.size, int) or self.size < 1:
            raise ConfigError(
                f"window size must be a positive integer, not {self.size!r}",
                field="window.size",
            )
        step = self.step
        if step is not None:
            if self.kind == "tumbling" and step != self.size:
                raise ConfigError(
                    "a tumbling window takes no step; use kind='sliding'",
                    field="window.step",
                )
            if not isinstance(step, int) or step < 1 or self.size % step:
                raise ConfigError(
                    f"window step must be a positive divisor of size {self.size}, "
                    f"not {step!r}",
                    field="window.step",
                )
        if not isinstance(self.grace_ms, int) or self.grace_ms < 0:
            raise ConfigError(
                f"grace_ms must be a non-negative integer, not {self.grace_ms!r}",
                field="window.grace_ms",
            )

    @property
    def pane(self) -> int:
        """Records or milliseconds per pane."""
        return self.step or self.size

    @property
    def panes_per_window(self) -> int:
        """Number of panes in one window."""
        return self.size // self.pane


@dataclass(frozen=True, slots=True)
class ClosedWindow:
    """One window's columns; ``start`` and ``end`` (exclusive) are record
    indices for count windows and milliseconds for time windows."""

    start: int
    end: int
    n_rows: int
    columns: Mapping[str, Column]


@dataclass(frozen=True, slots=True)
class _Pane:
    index: int
    n_rows: int
    columns: Mapping[str, Column]


_NOTHING: tuple[ClosedWindow, ...] = ()


class Windower:
    """Groups records into windows; ``add`` returns the windows it closed.

    ``column_types`` is the reference's :attr:`Reference.column_types`, so that
    window and reference hold the same columns.
    """

    def __init__(self, spec: WindowSpec, column_types: Mapping[str, FeatureType]):
        self.spec = spec
        self._types = dict(column_types)
        self._features = [n for n in self._types if n not in (PREDICTION, CONFIDENCE)]
        self._by_time = spec.by == "time"
        self._pane = spec.pane
        self._recent: deque[_Pane] = deque(maxlen=spec.panes_per_window)
        self.late_count = 0
        self.invalid_count = 0

        # Count mode: one open buffer, its list.append methods bound once.
        self._buffer = self._new_buffer()
        self._bind(self._buffer)
        self._pending = 0
        self._next_start = 0

        # Time mode: open buffers by pane index, and the watermark.
        self._open: dict[int, tuple[dict[str, list[object]], list[int]]] = {}
        self._watermark: int | None = None
        self._next_close: int | None = None

    def add(
        self,
        features: Mapping[str, object],
        *,
        prediction: object = None,
        confidence: object = None,
        timestamp_ms: int | None = None,
    ) -> Sequence[ClosedWindow]:
        """Add one record; return the windows it closed (usually none).

        Raises :class:`InvalidInputError` when a time window gets no timestamp.
        """
        if self._by_time:
            return self._add_timed(features, prediction, confidence, timestamp_ms)

        get = features.get
        for name, append in self._appends:
            append(get(name))
        if self._append_prediction is not None:
            self._append_prediction(prediction)
        if self._append_confidence is not None:
            self._append_confidence(confidence)
        self._pending += 1
        if self._pending >= self._pane:
            return self._close_count_pane()
        return _NOTHING

    def add_batch(
        self,
        rows: Sequence[Mapping[str, object]],
        *,
        predictions: Sequence[object] | None = None,
        confidences: Sequence[object] | None = None,
        timestamps_ms: Sequence[int] | None = None,
    ) -> list[ClosedWindow]:
        """Add many records column by column; return the windows they closed."""
        n = len(rows)
        predictions = predictions if predictions is not None else [None] * n
        confidences = confidences if confidences is not None else [None] * n
        closed: list[ClosedWindow] = []
        if self._by_time:
            stamps = timestamps_ms if timestamps_ms is not None else [None] * n
            for i in range(n):
                closed.extend(
                    self._add_timed(rows[i], predictions[i], confidences[i], stamps[i])
                )
            return closed

        i = 0
        while i < n:
            j = min(n, i + self._pane - self._pending)
            chunk = rows[i:j]
            for name in self._features:
                self._buffer[name].extend([r.get(name) for r in chunk])
            if PREDICTION in self._buffer:
                self._buffer[PREDICTION].extend(predictions[i:j])
            if CONFIDENCE in self._buffer:
                self._buffer[CONFIDENCE].extend(confidences[i:j])
            self._pending += j - i
            if self._pending >= self._pane:
                closed.extend(self._close_count_pane())
            i = j
        return closed

    def flush(self) -> list[ClosedWindow]:
        """Close what is open (at shutdown); a count window may then be short."""
        if not self._by_time:
            if self._pending == 0:
                return []
            return list(self._close_count_pane())
        if not self._open:
            return []
        last = max(self._open)
        return self._close_panes_through(last)

    # Count windows ---------------------------------------------------------

    def _new_buffer(self) -> dict[str, list[object]]:
        return {name: [] for name in self._types}

    def _bind(self, buffer: dict[str, list[object]]) -> None:
        self._appends = [(n, buffer[n].append) for n in self._features]
        self._append_prediction = (
            buffer[PREDICTION].append if PREDICTION in buffer else None
        )
        self._append_confidence = (
            buffer[CONFIDENCE].append if CONFIDENCE in buffer else None
        )

    def _close_count_pane(self) -> Sequence[ClosedWindow]:
        pane = self._convert(self._next_start, self._pending, self._buffer)
        self._next_start += self._pending
        self._buffer = self._new_buffer()
        self._bind(self._buffer)
        self._pending = 0
        self._recent.append(pane)

        full = len(self._recent) == self.spec.panes_per_window
        if not full and pane.n_rows == self._pane:
            return _NOTHING
        start = self._recent[0].index
        return (self._window(start, self._next_start),)

    # Time windows ----------------------------------------------------------

    def _add_timed(
        self,
        features: Mapping[str, object],
        prediction: object,
        confidence: object,
        timestamp_ms: int | None,
    ) -> Sequence[ClosedWindow]:
        if timestamp_ms is None:
            raise InvalidInputError(
                "a time window needs timestamp_ms on every record; pass the event "
                "time or use a count window"
            )
        index = int(timestamp_ms) // self._pane
        if self._next_close is None:
            self._next_close = index
        if index < self._next_close:
            self.late_count += 1
            return _NOTHING

        opened = self._open.get(index)
        if opened is None:
            opened = self._open[index] = (self._new_buffer(), [0])
        buffer, counter = opened
        for name in self._features:
            buffer[name].append(features.get(name))
        if PREDICTION in buffer:
            buffer[PREDICTION].append(prediction)
        if CONFIDENCE in buffer:
            buffer[CONFIDENCE].append(confidence)
        counter[0] += 1

        if self._watermark is not None and timestamp_ms <= self._watermark:
            return _NOTHING
        self._watermark = int(timestamp_ms)
        last = (self._watermark - self.spec.grace_ms) // self._pane - 1
        if self._next_close is None or last < self._next_close:
            return _NOTHING
        return self._close_panes_through(last)

    def _close_panes_through(self, last: int) -> list[ClosedWindow]:
        closed: list[ClosedWindow] = []
        k = self.spec.panes_per_window
        p = self._next_close if self._next_close is not None else last + 1
        while p <= last:
            opened = self._open.pop(p, None)
            if opened is not None:
                self._recent.append(self._convert(p, opened[1][0], opened[0]))
            while self._recent and self._recent[0].index <= p - k:
                self._recent.popleft()
            if self._recent:
                closed.append(
                    self._window((p - k + 1) * self._pane, (p + 1) * self._pane)
                )
                p += 1
            else:
                # Nothing in the window ending at p: jump to the next open pane.
                upcoming = min((i for i in self._open if i > p), default=last + 1)
                p = min(upcoming, last + 1)
        self._next_close = p
        return closed

    # Shared ----------------------------------------------------------------

    def _convert(
        self, index: int, n_rows: int, buffer: dict[str, list[object]]
    ) -> _Pane:
        columns = {n: to_column(buffer[n], t) for n, t in self._types.items()}
        self.invalid_count += sum(c.n_invalid for c in columns.values())
        return _Pane(index, n_rows, columns)

    def _window(self, start: int, end: int) -> ClosedWindow:
        panes = list(self._recent)
        if len(panes) == 1:
            columns = panes[0].columns
        else:
            columns = {
                n: merge_columns((p.columns[n] for p in panes), t)
                for n, t in self._types.items()
            }
        return ClosedWindow(start, end, sum(p.n_rows for p in panes), columns)
