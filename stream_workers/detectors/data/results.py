"""Value objects shared by the data-drift tests: settings aliases and results.

Every test returns a :class:`TestResult`, a small frozen value that carries the
statistic, the p-value, one effect size and the sample sizes together, so that a
p-value is never reported without the evidence needed to judge it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "FLAG_INSUFFICIENT_DATA",
    "FLAG_LOW_EXPECTED_COUNTS",
    "FLAG_UNSEEN_CATEGORIES",
    "Correction",
    "EffectSize",
    "FeatureType",
    "Status",
    "TestResult",
]

FeatureType = Literal["numeric", "categorical"]
Correction = Literal["holm", "bh", "bonferroni", "none"]
Status = Literal["ok", "insufficient_data"]

# Flags attached to a result; a closed set so that they can become metric labels.
FLAG_LOW_EXPECTED_COUNTS = "low_expected_counts"
FLAG_UNSEEN_CATEGORIES = "unseen_categories"
FLAG_INSUFFICIENT_DATA = "insufficient_data"


@dataclass(frozen=True, slots=True)
class EffectSize:
    """A named effect size, for example ``EffectSize("ks_d", 0.21)``."""

    name: str
    value: float


@dataclass(frozen=True, slots=True)
class TestResult:
    """The outcome of one two-sample test on one feature.

    ``effect`` is the effect size the alert gate uses; ``extra_effects`` are
    reported alongside (PSI and Wasserstein-1 for numbers). ``n_ref`` and ``n_cur``
    count the values the test saw, after missing and invalid values were dropped.
    """

    __test__ = False  # not a pytest test class, despite the name

    test: str
    statistic: float
    p_value: float
    effect: EffectSize
    n_ref: int
    n_cur: int
    flags: frozenset[str] = field(default_factory=frozenset)
    extra_effects: tuple[EffectSize, ...] = ()
    dof: int | None = None

    def effect_value(self, name: str) -> float | None:
        """Return the effect size called ``name``, or None when it was not computed."""
        for effect in (self.effect, *self.extra_effects):
            if effect.name == name:
                return effect.value
        return None
