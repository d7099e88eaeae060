"""Set one detector parameter for a target expected run length (ARL) between alarms.

The ARL is estimated by simulation on a stationary Bernoulli error stream at a
given error rate, as alibi-detect does for its online detectors: one long
stream is fed to a fresh detector, which restarts itself (with its warm-up)
after every drift, so alarms form a renewal process and ``ARL = events /
alarms``. Every candidate value sees the same seeded stream (common random
numbers), which keeps the estimate monotone enough in the parameter for a
bisection, on a log scale for significance levels. The ARL holds for the error
rate it was simulated at; a detector's false-alarm rate moves with the rate.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass

from stream_workers.detectors.registry import make_detector
from stream_workers.errors import ConfigError

__all__ = ["SEARCH_SPACE", "Calibration", "SearchRange", "calibrate", "estimate_arl"]


@dataclass(frozen=True, slots=True)
class SearchRange:
    """Where to look for a parameter, and which way it moves the ARL."""

    low: float
    high: float
    log_scale: bool
    higher_is_quieter: bool


SEARCH_SPACE: dict[tuple[str, str], SearchRange] = {
    ("adwin", "delta"): SearchRange(1e-12, 0.5, True, False),
    ("ddm", "drift_threshold"): SearchRange(2.0, 12.0, False, True),
    ("page_hinkley", "threshold"): SearchRange(1.0, 2_000.0, True, True),
    ("fhddm", "confidence_level"): SearchRange(1e-15, 0.5, True, False),
}
"""The parameters :func:`calibrate` can search, by (detector, parameter)."""


@dataclass(frozen=True, slots=True)
class Calibration:
    """The value found, and the ARL simulated with it."""

    detector: str
    param: str
    value: float
    target_arl: float
    estimated_arl: float
    alarms: int
    events: int
    error_rate: float


def _bernoulli(error_rate: float, events: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    return [1 if rng.random() < error_rate else 0 for _ in range(events)]


def _count_alarms(name: str, params: Mapping[str, object], errors: list[int]) -> int:
    detector = make_detector(name, params)
    feed_correct = detector.input_field == "correct"
    alarms = 0
    for error in errors:
        detector.update(1 - error if feed_correct else error)
        alarms += detector.drift_detected
    return alarms


def estimate_arl(
    name: str,
    params: Mapping[str, object],
    *,
    error_rate: float,
    events: int,
    seed: int = 0,
) -> tuple[float, int]:
    """Return (ARL, alarms) on a seeded Bernoulli stream; ARL is inf without alarms."""
    alarms = _count_alarms(name, params, _bernoulli(error_rate, events, seed))
    return (events / alarms if alarms else math.inf), alarms


def calibrate(
    name: str,
    param: str,
    target_arl: float,
    error_rate: float,
    *,
    fixed: Mapping[str, object] | None = None,
    expected_alarms: int = 30,
    iterations: int = 14,
    seed: int = 0,
) -> Calibration:
    """Bisect ``param`` of detector ``name`` until its simulated ARL meets the target.

    The stream is ``expected_alarms * target_arl`` events long, so the estimate
    at the answer rests on about that many alarms (relative error about
    ``1 / sqrt(expected_alarms)``). Raises ``ConfigError`` for a pair outside
    :data:`SEARCH_SPACE` or a target the range cannot reach (ADWIN, for one,
    rarely alarms on a stationary stream even at ``delta=0.5``).
    """
    space = SEARCH_SPACE.get((name, param))
    if space is None:
        known = ", ".join(f"{d}.{p}" for d, p in SEARCH_SPACE)
        raise ConfigError(
            f"cannot calibrate {name}.{param}; calibrate one of: {known}."
        )
    if target_arl <= 1 or not 0 < error_rate < 1:
        raise ConfigError("need target_arl > 1 and error_rate in (0, 1).")

    events = int(expected_alarms * target_arl)
    errors = _bernoulli(error_rate, events, seed)
    base = dict(fixed or {})

    def arl_at(value: float) -> tuple[float, int]:
        alarms = _count_alarms(name, {**base, param: value}, errors)
        return (events / alarms if alarms else math.inf), alarms

    def to_axis(value: float) -> float:
        return math.log(value) if space.log_scale else value

    def from_axis(point: float) -> float:
        return math.exp(point) if space.log_scale else point

    quiet, noisy = (space.high, space.low)
    if not space.higher_is_quieter:
        quiet, noisy = noisy, quiet
    if arl_at(quiet)[0] < target_arl or arl_at(noisy)[0] > target_arl:
        raise ConfigError(
            f"{name}.{param}: an ARL of {target_arl:g} at error rate {error_rate:g} "
            f"is outside [{space.low:g}, {space.high:g}]; choose another parameter "
            "or target."
        )

    low, high = to_axis(space.low), to_axis(space.high)
    for _ in range(iterations):
        middle = (low + high) / 2
        arl, _alarms = arl_at(from_axis(middle))
        too_quiet = arl > target_arl
        # Move towards the noisier end when too quiet, the quieter end otherwise.
        if too_quiet == space.higher_is_quieter:
            high = middle
        else:
            low = middle

    value = from_axis((low + high) / 2)
    arl, alarms = arl_at(value)
    return Calibration(name, param, value, target_arl, arl, alarms, events, error_rate)
