"""Pure logic of label-free estimation: windows, sums and the reliability map.

No Kafka here: the objects below are what the concept worker checkpoints, and
the functions are the window arithmetic it runs on them. See
:mod:`stream_workers.workers.estimation` for how they are fed and published.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = [
    "OutcomeWindows",
    "PredictionWindows",
    "ReliabilityMap",
    "WindowSums",
    "closable",
    "merge_sums",
    "watermark",
    "window_start",
]


def window_start(time_ms: int, window_ms: int) -> int:
    """The start of the tumbling event-time window holding ``time_ms``."""
    if window_ms <= 0:
        raise ValueError(f"window_ms must be positive, got {window_ms}")
    return time_ms - time_ms % window_ms


def closable(
    start_ms: int, window_ms: int, lateness_ms: int, watermark_ms: int
) -> bool:
    """Whether event time has passed the window's end by the allowed lateness."""
    return start_ms + window_ms + lateness_ms <= watermark_ms


def _bin(confidence: float, bins: int) -> int:
    return min(max(int(confidence * bins), 0), bins - 1)


@dataclass
class WindowSums:
    """Predictions of one window: count, sum of raw confidence, count per bin."""

    bins: list[int]
    count: int = 0
    confidence_sum: float = 0.0

    @classmethod
    def empty(cls, bins: int) -> WindowSums:
        return cls(bins=[0] * bins)

    def add(self, confidence: float) -> None:
        self.count += 1
        self.confidence_sum += confidence
        self.bins[_bin(confidence, len(self.bins))] += 1

    @property
    def confidence_mean(self) -> float | None:
        return self.confidence_sum / self.count if self.count else None


def merge_sums(parts: Iterable[WindowSums]) -> WindowSums | None:
    """The sums of several partitions' shares of one window (None: no shares).

    Shares counted under different ``calibration_bins`` merge without bins (an
    empty list), which leaves the window to its raw mean confidence.
    """
    merged: WindowSums | None = None
    for part in parts:
        if merged is None:
            merged = WindowSums(list(part.bins), part.count, part.confidence_sum)
            continue
        merged.count += part.count
        merged.confidence_sum += part.confidence_sum
        if len(part.bins) == len(merged.bins):
            merged.bins = [a + b for a, b in zip(merged.bins, part.bins, strict=True)]
        else:
            merged.bins = []
    return merged


@dataclass
class ReliabilityMap:
    """Binned confidence to observed accuracy, learnt online from labelled outcomes.

    Each bin keeps (decayed) counts of labels, correct ones and the confidence sum.
    A confidence is calibrated by adding its bin's gap between observed accuracy
    and mean confidence, shrunk towards zero by ``prior`` pseudo-labels, so a map
    with no labels is the identity and a bin moves as its evidence grows.
    ``memory`` (labels) sets an exponential forgetting so the map follows a model
    whose calibration changes; None keeps everything.
    """

    bins: int = 10
    prior: float = 20.0
    memory: int | None = None
    weight: list[float] = field(default_factory=list)
    correct: list[float] = field(default_factory=list)
    confidence: list[float] = field(default_factory=list)
    labels: int = 0

    def __post_init__(self) -> None:
        if self.bins < 1:
            raise ValueError(f"bins must be at least 1, got {self.bins}")
        if self.prior < 0:
            raise ValueError(f"prior must be non-negative, got {self.prior}")
        for name in ("weight", "correct", "confidence"):
            if not getattr(self, name):
                setattr(self, name, [0.0] * self.bins)

    def observe(self, confidence: float, correct: bool) -> None:
        """Learn from one labelled outcome."""
        if self.memory is not None:
            keep = 1.0 - 1.0 / self.memory
            self.weight = [w * keep for w in self.weight]
            self.correct = [c * keep for c in self.correct]
            self.confidence = [s * keep for s in self.confidence]

        b = _bin(confidence, self.bins)
        self.weight[b] += 1.0
        self.correct[b] += 1.0 if correct else 0.0
        self.confidence[b] += confidence
        self.labels += 1

    def shift(self, b: int) -> float:
        """What to add to a confidence in bin ``b`` (observed minus claimed)."""
        denominator = self.weight[b] + self.prior
        if denominator <= 0:
            return 0.0
        return (self.correct[b] - self.confidence[b]) / denominator

    def calibrate(self, confidence: float) -> float:
        """The calibrated confidence, clipped to [0, 1]."""
        value = confidence + self.shift(_bin(confidence, self.bins))
        return min(max(value, 0.0), 1.0)

    def estimate(self, sums: WindowSums) -> float | None:
        """Expected accuracy of a window: its mean calibrated confidence.

        Computed from the window's sums (shift per bin times the bin's count),
        clipped to [0, 1] once for the window rather than per prediction.
        """
        if sums.count == 0:
            return None
        if len(sums.bins) != self.bins:
            raise ValueError(
                f"window has {len(sums.bins)} bins, the map {self.bins}; "
                "calibration_bins changed: the map starts again"
            )
        total = sums.confidence_sum
        total += sum(n * self.shift(b) for b, n in enumerate(sums.bins) if n)
        return min(max(total / sums.count, 0.0), 1.0)


@dataclass
class PredictionWindows:
    """One model version's windows as seen in one ``predictions`` partition."""

    sums: dict[int, WindowSums] = field(default_factory=dict)
    closed: dict[int, float | None] = field(default_factory=dict)
    stream_time_ms: int = -1

    def add(self, time_ms: int, confidence: float, window_ms: int, bins: int) -> int:
        """Count one prediction; return its window's start."""
        start = window_start(time_ms, window_ms)
        sums = self.sums.get(start)
        if sums is None:
            sums = self.sums[start] = WindowSums.empty(bins)
        sums.add(confidence)
        self.stream_time_ms = max(self.stream_time_ms, time_ms)
        return start

    def prune(self, horizon_ms: int) -> None:
        """Forget windows that start before ``horizon_ms``."""
        self.sums = {s: v for s, v in self.sums.items() if s >= horizon_ms}
        self.closed = {s: v for s, v in self.closed.items() if s >= horizon_ms}


def watermark(states: Iterable[PredictionWindows]) -> int:
    """Event time of the slowest partition's share of a model version (-1: none).

    While a worker catches up it reads partitions unevenly: the fastest one's
    time would close windows that the others still add to.
    """
    return min((s.stream_time_ms for s in states), default=-1)


@dataclass
class OutcomeWindows:
    """One model version's outcome side: the reliability map and realised counts.

    ``realised`` maps a window start to [labelled, correct, unlabelled];
    ``settled`` holds the windows already compared with their estimate.
    """

    reliability: ReliabilityMap
    realised: dict[int, list[int]] = field(default_factory=dict)
    settled: set[int] = field(default_factory=set)
    stream_time_ms: int = -1

    def add(
        self, time_ms: int, window_ms: int, labeled: bool, correct: bool | None
    ) -> int:
        """Count one outcome in its window; return the window's start."""
        start = window_start(time_ms, window_ms)
        self.stream_time_ms = max(self.stream_time_ms, time_ms)
        if start in self.settled:
            return start
        counts = self.realised.setdefault(start, [0, 0, 0])
        if labeled:
            counts[0] += 1
            counts[1] += 1 if correct else 0
        else:
            counts[2] += 1
        return start

    def prune(self, horizon_ms: int) -> None:
        self.realised = {s: v for s, v in self.realised.items() if s >= horizon_ms}
        self.settled = {s for s in self.settled if s >= horizon_ms}
