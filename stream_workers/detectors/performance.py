"""Performance detectors: a windowed metric against a baseline, and its trend.

Outcomes fill tumbling windows of ``window_size`` updates. When a window closes
its metric is compared with the baseline (the configured ``baseline``, or else
the first full window) and with the windows before it:

- *drift* when the metric is worse than the baseline by more than ``tolerance``
  (in the metric's own units);
- *warning* when it got worse in each of the last ``trend_windows`` windows, the
  declining-trend rule, which sees a slow decay before the tolerance is used up.

One degradation gives one drift. A learned baseline is learned again from the
next full window; a configured one stays, and the detector is quiet until a
window is back within tolerance. Signals come only when a window closes, so the
delay is up to one window; the current, open window is read from ``metric``.
"""

from __future__ import annotations

import abc
import math
from collections import deque
from typing import ClassVar, Self

from stream_workers.detectors.base import DetectorKind, InputField
from stream_workers.detectors.inputs import InputDomain, coerce_input
from stream_workers.detectors.moments import RunningMoments
from stream_workers.detectors.params import check_float, check_int

__all__ = ["WindowedAccuracy", "WindowedMAE", "WindowedMetric", "WindowedRMSE"]


class WindowedMetric(abc.ABC):
    """Shared logic of the windowed performance detectors.

    Parameters
    ----------
    window_size
        Updates per tumbling window, at least 1.
    tolerance
        How much worse than the baseline a window may be before it is a drift,
        >= 0, in the metric's units.
    baseline
        A fixed baseline; unset, the first full window after the warm-up is used.
    trend_windows
        Consecutive worsening windows that make a warning; 0 turns the rule off.
    warmup
        Updates ignored before the first window starts.
    """

    kind: ClassVar[DetectorKind] = "performance"
    name: ClassVar[str]
    input_field: ClassVar[InputField]
    domain: ClassVar[InputDomain]
    higher_is_better: ClassVar[bool]

    def __init__(
        self,
        *,
        window_size: int = 500,
        tolerance: float = 0.05,
        baseline: float | None = None,
        trend_windows: int = 3,
        warmup: int = 0,
    ) -> None:
        self.window_size = check_int(self.name, "window_size", window_size, minimum=1)
        self.tolerance = check_float(self.name, "tolerance", tolerance, low=0)
        if baseline is not None:
            high = 1.0 if self.domain == "binary" else math.inf
            baseline = check_float(self.name, "baseline", baseline, low=0, high=high)
        self.baseline = baseline
        self.trend_windows = check_int(
            self.name, "trend_windows", trend_windows, minimum=0
        )
        self.warmup = check_int(self.name, "warmup", warmup, minimum=0)

        self._fixed_baseline = baseline
        self._window = RunningMoments()
        self._closed: deque[float] = deque(maxlen=self.trend_windows + 1)
        self._window_closed = False
        self._relearn = False
        self._latched = False
        self._n_seen = 0
        self._n_windows = 0
        self._drift = False
        self._warning = False

    @abc.abstractmethod
    def _term(self, value: float) -> float:
        """The per-outcome quantity whose mean makes the metric."""

    @abc.abstractmethod
    def _metric_of(self, mean: float) -> float:
        """The metric of a window whose terms have this mean."""

    def check_input(self, x: object) -> float:
        """Return ``x`` as the detector takes it, or raise ``InvalidInputError``."""
        return coerce_input(x, domain=self.domain, detector=self.name)

    def update(self, x: object) -> Self:
        """Feed one outcome; a window closing on it may set a signal."""
        value = self.check_input(x)

        self._n_seen += 1
        self._drift = self._warning = False
        if self._n_seen <= self.warmup:
            return self

        if self._window_closed:
            self._start_window()
        self._window.update(self._term(value))

        if self._window.n == self.window_size:
            self._close_window(self.metric)
        return self

    def _start_window(self) -> None:
        self._window = RunningMoments()
        self._window_closed = False
        if self._relearn:
            self.baseline = None
            self._relearn = False

    def _worse_by(self, metric: float, reference: float) -> float:
        return reference - metric if self.higher_is_better else metric - reference

    def _close_window(self, metric: float) -> None:
        self._window_closed = True
        self._n_windows += 1

        # The first full window sets a learned baseline and nothing else.
        if self.baseline is None:
            self.baseline = metric
            self._closed.clear()
            self._closed.append(metric)
            return

        breached = self._worse_by(metric, self.baseline) > self.tolerance
        self._drift = breached and not self._latched
        self._relearn = breached and self._fixed_baseline is None
        self._latched = breached and self._fixed_baseline is not None
        self._trend_step(metric)

    def _trend_step(self, metric: float) -> None:
        self._closed.append(metric)
        if self._drift:
            self._closed.clear()
            return
        if not self.trend_windows or len(self._closed) <= self.trend_windows:
            return

        history = list(self._closed)
        pairs = zip(history, history[1:], strict=False)
        if all(self._worse_by(later, earlier) > 0 for earlier, later in pairs):
            self._warning = True
            self._closed.clear()
            self._closed.append(metric)

    @property
    def drift_detected(self) -> bool:
        """Whether the window that closed on the last update breached tolerance."""
        return self._drift

    @property
    def warning_detected(self) -> bool:
        """Whether the window that closed on the last update completed a decline."""
        return self._warning

    @property
    def metric(self) -> float:
        """The metric of the current window (the closing one, on its last update)."""
        if self._window.n == 0:
            return math.nan
        return self._metric_of(self._window.mean)

    @property
    def window_moments(self) -> RunningMoments:
        """Count, mean and spread of the current window's per-outcome terms (a copy)."""
        window = self._window
        return RunningMoments(window.n, window.mean, window.m2)

    @property
    def statistic(self) -> float:
        """Same as ``metric``."""
        return self.metric

    @property
    def threshold(self) -> float | None:
        """The metric value beyond which a window is a drift; None before a baseline."""
        if self.baseline is None:
            return None
        sign = -1.0 if self.higher_is_better else 1.0
        return self.baseline + sign * self.tolerance

    @property
    def n_seen(self) -> int:
        """Accepted updates, the warm-up included."""
        return self._n_seen

    @property
    def n_window(self) -> int:
        """Updates in the current window."""
        return self._window.n

    @property
    def n_windows(self) -> int:
        """Windows closed so far."""
        return self._n_windows

    @property
    def params(self) -> dict[str, object]:
        """The constructor arguments (``baseline`` as configured, not as learned)."""
        return {
            "window_size": self.window_size,
            "tolerance": self.tolerance,
            "baseline": self._fixed_baseline,
            "trend_windows": self.trend_windows,
            "warmup": self.warmup,
        }

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{type(self).__name__}({args})"


class WindowedAccuracy(WindowedMetric):
    """Share of correct predictions per window; fed 1 (correct) or 0 (wrong)."""

    name = "accuracy"
    input_field = "correct"
    domain = "binary"
    higher_is_better = True

    def _term(self, value: float) -> float:
        return value

    def _metric_of(self, mean: float) -> float:
        # The terms are 0/1, so the count is exact and gives the exact ratio.
        n = self._window.n
        return round(mean * n) / n

    @property
    def n_correct(self) -> int:
        """Correct predictions in the current window."""
        return round(self._window.mean * self._window.n)


class WindowedMAE(WindowedMetric):
    """Mean absolute error per window; fed the signed or absolute error."""

    name = "mae"
    input_field = "error"
    domain = "real"
    higher_is_better = False

    def _term(self, value: float) -> float:
        return abs(value)

    def _metric_of(self, mean: float) -> float:
        return mean


class WindowedRMSE(WindowedMetric):
    """Root mean squared error per window; fed the signed or absolute error."""

    name = "rmse"
    input_field = "error"
    domain = "real"
    higher_is_better = False

    def _term(self, value: float) -> float:
        return value * value

    def _metric_of(self, mean: float) -> float:
        return math.sqrt(mean)
