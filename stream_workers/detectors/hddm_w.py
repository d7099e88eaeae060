"""HDDM-W on errors in [0, 1]: McDiarmid bounds on weighted moving averages."""

from __future__ import annotations

from typing import Any

from river.drift import binary as river_binary

from stream_workers.detectors.base import RiverDetector
from stream_workers.detectors.hddm_a import check_confidences
from stream_workers.detectors.params import check_bool, check_float

__all__ = ["HDDMW"]


class HDDMW(RiverDetector):
    """HDDM with the W-test (river's ``HDDM_W``) on errors in [0, 1].

    Like :class:`~stream_workers.detectors.hddm_a.HDDMA`, one-sided unless
    ``two_sided_test=True``; only the two-sided test reports a falling error rate.

    Parameters
    ----------
    drift_confidence
        Confidence of the drift test, in (0, 1), at most ``warning_confidence``.
    warning_confidence
        Confidence of the warning test, in (0, 1).
    lambda_val
        Weight of the newest value in the moving averages, in (0, 1).
    two_sided_test
        Also test for a fall in the error rate.
    warmup, binarize_at
        See :class:`~stream_workers.detectors.base.RiverDetector`.
    """

    name = "hddm_w"
    domain = "unit"
    _param_names = (
        "drift_confidence",
        "warning_confidence",
        "lambda_val",
        "two_sided_test",
    )

    def __init__(
        self,
        *,
        drift_confidence: float = 0.001,
        warning_confidence: float = 0.005,
        lambda_val: float = 0.05,
        two_sided_test: bool = False,
        warmup: int = 30,
        binarize_at: float | None = None,
    ) -> None:
        self.drift_confidence, self.warning_confidence = check_confidences(
            self.name, drift_confidence, warning_confidence
        )
        self.lambda_val = check_float(
            self.name,
            "lambda_val",
            lambda_val,
            low=0,
            high=1,
            low_open=True,
            high_open=True,
        )
        self.two_sided_test = check_bool(self.name, "two_sided_test", two_sided_test)
        super().__init__(warmup=warmup, binarize_at=binarize_at)

    def _build(self) -> Any:
        return river_binary.HDDMW(
            drift_confidence=self.drift_confidence,
            warning_confidence=self.warning_confidence,
            lambda_val=self.lambda_val,
            two_sided_test=self.two_sided_test,
        )

    @property
    def statistic(self) -> float:
        """Exponentially weighted mean error since the last reset."""
        return float(self._river._total.ewma)
