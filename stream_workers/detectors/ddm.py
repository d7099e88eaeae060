"""DDM on 0/1 errors: the error rate against its best level so far."""

from __future__ import annotations

import math
from typing import Any

from river.drift import binary as river_binary

from stream_workers.detectors.base import RiverDetector
from stream_workers.detectors.params import check_float, check_int
from stream_workers.errors import ConfigError

__all__ = ["DDM"]


class DDM(RiverDetector):
    """Drift detection method (river's ``DDM``) on 0 (correct) / 1 (error) input.

    A stream that is all errors or all correct has zero variance and never
    signals: river compares with a strict ``>``, which we keep. Values other than
    0/1 are rejected (river would average them and "detect" meaningless drifts)
    unless ``binarize_at`` is set.

    Parameters
    ----------
    warm_start
        Samples river needs before it tests at all.
    warning_threshold
        Standard deviations above the best level for a warning, > 0.
    drift_threshold
        Standard deviations above the best level for a drift, at least
        ``warning_threshold``.
    warmup, binarize_at
        See :class:`~stream_workers.detectors.base.RiverDetector`.

    Notes
    -----
    ``statistic`` and ``threshold`` read river's internal counters, which the
    pinned river version (0.26.1) keeps under private names.
    """

    name = "ddm"
    domain = "binary"
    _param_names = ("warm_start", "warning_threshold", "drift_threshold")

    def __init__(
        self,
        *,
        warm_start: int = 30,
        warning_threshold: float = 2.0,
        drift_threshold: float = 3.0,
        warmup: int = 30,
        binarize_at: float | None = None,
    ) -> None:
        self.warm_start = check_int(self.name, "warm_start", warm_start, minimum=1)
        self.warning_threshold = check_float(
            self.name, "warning_threshold", warning_threshold, low=0, low_open=True
        )
        self.drift_threshold = check_float(
            self.name, "drift_threshold", drift_threshold, low=0, low_open=True
        )
        if self.drift_threshold < self.warning_threshold:
            raise ConfigError(
                f"ddm: `drift_threshold` ({drift_threshold}) must be at least "
                f"`warning_threshold` ({warning_threshold}).",
                field="ddm.drift_threshold",
            )
        super().__init__(warmup=warmup, binarize_at=binarize_at)

    def _build(self) -> Any:
        return river_binary.DDM(
            warm_start=self.warm_start,
            warning_threshold=self.warning_threshold,
            drift_threshold=self.drift_threshold,
        )

    @property
    def statistic(self) -> float:
        """Error rate plus its standard deviation, ``p + s``."""
        mean = self._river._p
        if mean.n == 0:
            return 0.0
        p = mean.get()
        return p + math.sqrt(p * (1 - p) / mean.n)

    @property
    def threshold(self) -> float | None:
        """``p_min + drift_threshold * s_min``, once river has a best level."""
        if self._river._p_min is None:
            return None
        return self._river._p_min + self.drift_threshold * self._river._s_min
