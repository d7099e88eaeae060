"""Page-Hinkley: cumulative deviations from the running mean, up, down or both."""

from __future__ import annotations

from typing import Any, Literal, get_args

from river import drift as river_drift

from stream_workers.detectors.base import RiverDetector
from stream_workers.detectors.params import check_choice, check_float, check_int

__all__ = ["PageHinkley", "PageHinkleyMode"]

PageHinkleyMode = Literal["up", "down", "both"]


class PageHinkley(RiverDetector):
    """Page-Hinkley test (river's ``PageHinkley``) on any finite numbers.

    ``mode="up"`` only sees increases. On an error stream that is the degradation
    one cares about, but a metric where lower is worse (accuracy, confidence) must
    be watched with ``"down"`` or ``"both"``: ``"up"`` never reports its drop. The
    default is ``"both"``.

    Parameters
    ----------
    min_instances
        Values before river tests, at least 1.
    delta
        Magnitude of change tolerated, >= 0.
    threshold
        Cumulative deviation that is a drift, > 0.
    alpha
        Forgetting factor of the cumulative sums, in (0, 1].
    mode
        ``"up"``, ``"down"`` or ``"both"``.
    warmup
        See :class:`~stream_workers.detectors.base.RiverDetector`.
    """

    name = "page_hinkley"
    _param_names = ("min_instances", "delta", "threshold", "alpha", "mode")

    def __init__(
        self,
        *,
        min_instances: int = 30,
        delta: float = 0.005,
        threshold: float = 50.0,
        alpha: float = 1 - 0.0001,
        mode: PageHinkleyMode = "both",
        warmup: int = 30,
    ) -> None:
        self.min_instances = check_int(
            self.name, "min_instances", min_instances, minimum=1
        )
        self.delta = check_float(self.name, "delta", delta, low=0)
        self._threshold = check_float(
            self.name, "threshold", threshold, low=0, low_open=True
        )
        self.alpha = check_float(
            self.name, "alpha", alpha, low=0, high=1, low_open=True
        )
        self.mode = check_choice(self.name, "mode", mode, get_args(PageHinkleyMode))
        super().__init__(warmup=warmup)

    def _build(self) -> Any:
        return river_drift.PageHinkley(
            min_instances=self.min_instances,
            delta=self.delta,
            threshold=self._threshold,
            alpha=self.alpha,
            mode=self.mode,
        )

    @property
    def statistic(self) -> float:
        """The largest cumulative deviation in the watched direction(s)."""
        river = self._river
        if river._x_mean.n == 0:
            return 0.0

        up = river._sum_increase - river._min_increase
        down = river._max_decrease - river._sum_decrease
        if self.mode == "up":
            return float(up)
        if self.mode == "down":
            return float(down)
        return float(max(up, down))

    @property
    def threshold(self) -> float | None:
        """The configured ``threshold``."""
        return self._threshold
