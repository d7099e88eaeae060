"""Running count, mean and sum of squared deviations, with an exact merge.

Welford's update keeps the sum of squared deviations (``m2``) without the
cancellation of ``sum(x**2) - n * mean**2``. Two summaries merge with Chan's
formula, whose correction term is the *squared* difference of the means times
``n_a * n_b / n``: every term is non-negative, so the variance can never come out
negative. Merging [0.2, 0.2] with [0.8, 0.8] gives ``m2 = 0.36``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Self

__all__ = ["RunningMoments"]


class RunningMoments:
    """Count, mean and ``m2`` of a stream of finite numbers.

    Callers pass finite numbers; the input guard of the detectors sees to that.
    """

    __slots__ = ("n", "mean", "m2")

    def __init__(self, n: int = 0, mean: float = 0.0, m2: float = 0.0) -> None:
        self.n = n
        self.mean = mean
        self.m2 = m2

    @classmethod
    def of(cls, values: Iterable[float]) -> RunningMoments:
        """Summarise ``values`` in one pass."""
        moments = cls()
        for value in values:
            moments.update(value)
        return moments

    def update(self, x: float) -> Self:
        """Add one value."""
        self.n += 1
        delta = x - self.mean
        self.mean += delta / self.n
        self.m2 += delta * (x - self.mean)
        return self

    def merge(self, other: RunningMoments) -> RunningMoments:
        """Return the summary of both streams together; neither input changes."""
        n = self.n + other.n
        if n == 0:
            return RunningMoments()

        delta = other.mean - self.mean
        mean = self.mean + delta * (other.n / n)
        m2 = self.m2 + other.m2 + delta * delta * (self.n * other.n / n)
        return RunningMoments(n, mean, m2)

    @property
    def variance(self) -> float:
        """Population variance, ``m2 / n``; 0.0 when empty."""
        return self.m2 / self.n if self.n else 0.0

    @property
    def std(self) -> float:
        """Population standard deviation."""
        return math.sqrt(self.variance)

    def __getstate__(self) -> tuple[int, float, float]:
        return (self.n, self.mean, self.m2)

    def __setstate__(self, state: tuple[int, float, float]) -> None:
        self.n, self.mean, self.m2 = state

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RunningMoments):
            return NotImplemented
        return (self.n, self.mean, self.m2) == (other.n, other.mean, other.m2)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"RunningMoments(n={self.n}, mean={self.mean!r}, m2={self.m2!r})"
