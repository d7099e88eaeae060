"""ADWIN on the error stream, checking for a cut after every sample by default."""

from __future__ import annotations

from typing import Any

from river import drift as river_drift

from stream_workers.detectors.base import RiverDetector
from stream_workers.detectors.params import check_float, check_int

__all__ = ["ADWIN"]


class ADWIN(RiverDetector):
    """Adaptive windowing (river's ``ADWIN``) on any finite numbers.

    River checks for a cut only every ``clock`` samples (32 by default), which adds
    up to ``clock - 1`` samples of detection delay: on a 0.1 to 0.5 error-rate step
    it detects 16 samples later than with ``clock=1``. We default to ``clock=1``;
    the check costs microseconds at outcome rates. ``params["clock"]`` is what the
    worker shows as a gauge.

    Parameters
    ----------
    delta
        Significance of the cut test, in (0, 1).
    clock
        Samples between two cut checks, at least 1.
    max_buckets
        Buckets of each size kept before two are merged.
    min_window_length
        Smallest sub-window a cut may leave.
    grace_period
        Samples before river tests for a cut at all.
    warmup
        See :class:`~stream_workers.detectors.base.RiverDetector`.
    """

    name = "adwin"
    _param_names = (
        "delta",
        "clock",
        "max_buckets",
        "min_window_length",
        "grace_period",
    )

    def __init__(
        self,
        *,
        delta: float = 0.002,
        clock: int = 1,
        max_buckets: int = 5,
        min_window_length: int = 5,
        grace_period: int = 10,
        warmup: int = 30,
    ) -> None:
        self.delta = check_float(
            self.name, "delta", delta, low=0, high=1, low_open=True, high_open=True
        )
        self.clock = check_int(self.name, "clock", clock, minimum=1)
        self.max_buckets = check_int(self.name, "max_buckets", max_buckets, minimum=2)
        self.min_window_length = check_int(
            self.name, "min_window_length", min_window_length, minimum=1
        )
        self.grace_period = check_int(
            self.name, "grace_period", grace_period, minimum=1
        )
        super().__init__(warmup=warmup)

    def _build(self) -> Any:
        return river_drift.ADWIN(
            delta=self.delta,
            clock=self.clock,
            max_buckets=self.max_buckets,
            min_window_length=self.min_window_length,
            grace_period=self.grace_period,
        )

    @property
    def statistic(self) -> float:
        """Mean of the values in ADWIN's window."""
        return float(self._river.estimation)

    @property
    def width(self) -> int:
        """Number of values in ADWIN's window."""
        return int(self._river.width)
