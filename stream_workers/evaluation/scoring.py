"""Scoring detections against known drift positions.

Each known drift ``d`` opens an acceptance window ``[d - lead, d + max_delay)``,
cut short by the next drift. ``lead`` (0 for abrupt drifts) admits the start of a
gradual transition, which a detector may rightly see before the nominal
position. The first detection inside a window is a true detection, with delay
``max(0, detection - d)`` in rows; later ones inside the same
window are *redundant* (they point at a real change, but a second alert for it
is noise to whoever is paged); every detection outside all windows is a false
alarm. A drift without a true detection is missed. False alarms are also given
per 100,000 *stationary* rows: the monitored rows outside every window.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass

__all__ = ["Score", "score_detections"]


@dataclass(frozen=True, slots=True)
class Score:
    """Detection quality of one detector configuration on one stream."""

    drifts: int
    detected: int
    missed: int
    false_alarms: int
    redundant: int
    delays: tuple[int, ...]
    stationary_rows: int

    @property
    def mean_delay(self) -> float | None:
        """Mean delay of the true detections in rows; None when there is none."""
        return statistics.fmean(self.delays) if self.delays else None

    @property
    def median_delay(self) -> float | None:
        """Median delay of the true detections in rows; None when there is none."""
        return float(statistics.median(self.delays)) if self.delays else None

    @property
    def false_alarms_per_100k(self) -> float | None:
        """False alarms per 100,000 stationary rows; None without such rows."""
        if self.stationary_rows <= 0:
            return None
        return self.false_alarms * 100_000 / self.stationary_rows

    def as_dict(self) -> dict[str, object]:
        """Plain values for the JSON summary, derived figures included."""
        data = asdict(self)
        data["delays"] = list(self.delays)
        data["mean_delay"] = _round(self.mean_delay)
        data["median_delay"] = _round(self.median_delay)
        data["false_alarms_per_100k"] = _round(self.false_alarms_per_100k)
        return data


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def score_detections(
    detections: Sequence[int],
    drifts: Sequence[int],
    *,
    max_delay: int,
    end: int,
    start: int = 0,
    lead: int = 0,
) -> Score:
    """Score detection indices against drift positions over rows ``[start, end)``.

    Drifts before ``start`` (not monitored) are ignored; detections must lie in
    ``[start, end)``. Raises ``ValueError`` for a bad window or detection.
    """
    if max_delay < 1 or end <= start:
        raise ValueError("need max_delay >= 1 and end > start.")
    found = sorted(detections)
    if found and (found[0] < start or found[-1] >= end):
        raise ValueError(f"detections must lie in [{start}, {end}).")

    watched = sorted(d for d in drifts if start <= d < end)
    windows: list[tuple[int, int]] = []
    for i, drift in enumerate(watched):
        limit = watched[i + 1] if i + 1 < len(watched) else end
        floor = windows[-1][1] if windows else start
        windows.append((max(drift - lead, floor, start), min(drift + max_delay, limit)))

    delays: list[int] = []
    redundant = false_alarms = 0
    for drift, (low, high) in zip(watched, windows, strict=True):
        inside = [x for x in found if low <= x < high]
        if inside:
            delays.append(max(0, inside[0] - drift))
            redundant += len(inside) - 1
    in_windows = sum(1 for x in found if any(lo <= x < hi for lo, hi in windows))
    false_alarms = len(found) - in_windows

    covered = sum(high - low for low, high in windows)
    return Score(
        drifts=len(watched),
        detected=len(delays),
        missed=len(watched) - len(delays),
        false_alarms=false_alarms,
        redundant=redundant,
        delays=tuple(delays),
        stationary_rows=end - start - covered,
    )
