"""KSWIN: a Kolmogorov-Smirnov test between recent and older values in a window."""

from __future__ import annotations

from typing import Any

from river import drift as river_drift

from stream_workers.detectors.base import RiverDetector
from stream_workers.detectors.params import check_float, check_int
from stream_workers.errors import ConfigError

__all__ = ["KSWIN"]


class KSWIN(RiverDetector):
    """Kolmogorov-Smirnov windowing (river's ``KSWIN``) on any finite numbers.

    River draws the older sample at random; the seed is fixed (0 by default) so
    that a replay from a checkpoint gives the same signals. The random state is
    part of the pickled detector.

    Parameters
    ----------
    alpha
        Significance of the test, in (0, 1).
    window_size
        Values kept, more than ``stat_size``.
    stat_size
        Size of the recent sample and of the random older one, at least 1, and at
        most half of ``window_size`` so that the two do not overlap.
    seed
        Seed of the sampler.
    warmup
        See :class:`~stream_workers.detectors.base.RiverDetector`.
    """

    name = "kswin"
    _param_names = ("alpha", "window_size", "stat_size", "seed")

    def __init__(
        self,
        *,
        alpha: float = 0.005,
        window_size: int = 100,
        stat_size: int = 30,
        seed: int = 0,
        warmup: int = 30,
    ) -> None:
        self.alpha = check_float(
            self.name, "alpha", alpha, low=0, high=1, low_open=True, high_open=True
        )
        self.window_size = check_int(self.name, "window_size", window_size, minimum=2)
        self.stat_size = check_int(self.name, "stat_size", stat_size, minimum=1)
        if 2 * self.stat_size > self.window_size:
            raise ConfigError(
                f"kswin: `stat_size` ({stat_size}) must be at most half of "
                f"`window_size` ({window_size}).",
                field="kswin.stat_size",
            )
        self.seed = check_int(self.name, "seed", seed, minimum=0)
        super().__init__(warmup=warmup)

    def _build(self) -> Any:
        return river_drift.KSWIN(
            alpha=self.alpha,
            window_size=self.window_size,
            stat_size=self.stat_size,
            seed=self.seed,
        )

    @property
    def statistic(self) -> float:
        """p-value of the last test (0.0 until the window is full, as in river)."""
        return float(self._river.p_value)

    @property
    def threshold(self) -> float | None:
        """``alpha``: a p-value at or below it (with KS D above 0.1) is a drift."""
        return self.alpha
