"""EDDM on 0/1 errors: the distance between errors, without the censored first gap."""

from __future__ import annotations

from typing import Any

from river import stats as river_stats
from river.drift import binary as river_binary

from stream_workers.detectors.base import RiverDetector
from stream_workers.detectors.params import check_float, check_int
from stream_workers.errors import ConfigError

__all__ = ["EDDM"]


class EDDM(RiverDetector):
    """Early drift detection method (river's ``EDDM``) on 0/1 errors.

    River counts the gap from the start of the stream (or from its last reset) to
    the first error as if it were a distance between two errors. That gap is
    censored: it says when we started looking, not how often errors happen. If the
    first error comes early, the short gap inflates the variance, the maximum of
    ``mean + 2 std`` is set from it, and a stationary periodic stream raises a
    false drift (at 600 when errors fall on every 20th sample starting at 0). We
    drop that first gap after river has seen it; every later gap is river's own.

    Parameters
    ----------
    warm_start
        Errors river needs before it tests, at least 1.
    alpha
        Warning level for the ratio to the best ``mean + 2 std``, in (0, 1].
    beta
        Drift level for that ratio, in (0, ``alpha``].
    warmup, binarize_at
        See :class:`~stream_workers.detectors.base.RiverDetector`.

    Notes
    -----
    The fix and ``statistic`` touch river's private counters, as named in the
    pinned river version (0.26.1).
    """

    name = "eddm"
    domain = "binary"
    _param_names = ("warm_start", "alpha", "beta")

    def __init__(
        self,
        *,
        warm_start: int = 30,
        alpha: float = 0.95,
        beta: float = 0.9,
        warmup: int = 30,
        binarize_at: float | None = None,
    ) -> None:
        self.warm_start = check_int(self.name, "warm_start", warm_start, minimum=1)
        self.alpha = check_float(
            self.name, "alpha", alpha, low=0, high=1, low_open=True
        )
        self.beta = check_float(self.name, "beta", beta, low=0, high=1, low_open=True)
        if self.beta > self.alpha:
            raise ConfigError(
                f"eddm: `beta` ({beta}) must not exceed `alpha` ({alpha}).",
                field="eddm.beta",
            )
        super().__init__(warmup=warmup, binarize_at=binarize_at)

    def _build(self) -> Any:
        self._gap_measured = False
        return river_binary.EDDM(
            warm_start=self.warm_start, alpha=self.alpha, beta=self.beta
        )

    def _feed(self, value: float) -> None:
        self._river.update(value)

        # The first error only marks where gaps start; forget the gap river took.
        if value == 1.0 and not self._gap_measured:
            self._gap_measured = True
            self._river._error_distances = river_stats.Var()
            self._river._p2s_prime_max = -1

    @property
    def statistic(self) -> float:
        """``(mean + 2 std)`` of the gaps over its best value so far; 1.0 before."""
        gaps = self._river._error_distances
        best = self._river._p2s_prime_max
        if gaps.mean.n == 0 or best <= 0:
            return 1.0
        return (gaps.mean.get() + 2 * gaps.get() ** 0.5) / best

    @property
    def threshold(self) -> float | None:
        """The drift level ``beta``: a ratio below it is a drift."""
        return self.beta
