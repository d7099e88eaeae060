"""HDDM-A on errors in [0, 1]: Hoeffding bounds on moving averages."""

from __future__ import annotations

from typing import Any

from river.drift import binary as river_binary

from stream_workers.detectors.base import RiverDetector
from stream_workers.detectors.params import check_bool, check_float
from stream_workers.errors import ConfigError

__all__ = ["HDDMA", "check_confidences"]


def check_confidences(
    detector: str, drift: object, warning: object
) -> tuple[float, float]:
    """Validate a drift and a warning confidence, the drift one the stricter."""
    drift_c = check_float(
        detector,
        "drift_confidence",
        drift,
        low=0,
        high=1,
        low_open=True,
        high_open=True,
    )
    warning_c = check_float(
        detector,
        "warning_confidence",
        warning,
        low=0,
        high=1,
        low_open=True,
        high_open=True,
    )
    if drift_c > warning_c:
        raise ConfigError(
            f"{detector}: `drift_confidence` ({drift}) must not exceed "
            f"`warning_confidence` ({warning}).",
            field=f"{detector}.drift_confidence",
        )
    return drift_c, warning_c


class HDDMA(RiverDetector):
    """HDDM with the A-test (river's ``HDDM_A``) on errors in [0, 1].

    One-sided by default: it signals when the error rate rises. With
    ``two_sided_test=True`` it also signals when the error rate falls, which is
    how an improvement (or a broken label pipeline that marks everything correct)
    becomes visible; one-sided, such a fall is never reported.

    Parameters
    ----------
    drift_confidence
        Confidence of the drift test, in (0, 1), at most ``warning_confidence``.
    warning_confidence
        Confidence of the warning test, in (0, 1).
    two_sided_test
        Also test for a fall in the error rate.
    warmup, binarize_at
        See :class:`~stream_workers.detectors.base.RiverDetector`.
    """

    name = "hddm_a"
    domain = "unit"
    _param_names = ("drift_confidence", "warning_confidence", "two_sided_test")

    def __init__(
        self,
        *,
        drift_confidence: float = 0.001,
        warning_confidence: float = 0.005,
        two_sided_test: bool = False,
        warmup: int = 30,
        binarize_at: float | None = None,
    ) -> None:
        self.drift_confidence, self.warning_confidence = check_confidences(
            self.name, drift_confidence, warning_confidence
        )
        self.two_sided_test = check_bool(self.name, "two_sided_test", two_sided_test)
        super().__init__(warmup=warmup, binarize_at=binarize_at)

    def _build(self) -> Any:
        return river_binary.HDDMA(
            drift_confidence=self.drift_confidence,
            warning_confidence=self.warning_confidence,
            two_sided_test=self.two_sided_test,
        )

    @property
    def statistic(self) -> float:
        """Mean error since the last reset."""
        return float(self._river._z.get())
