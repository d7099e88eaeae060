"""Chi-square homogeneity test for categorical features.

The reference and current counts form a 2 x K contingency table over the union
of their categories; a category seen in one window only is a column of its own.
Columns that are zero in both rows are removed. With row totals ``R_i``, column
totals ``C_j`` and grand total ``N``, the expected counts are
``E_ij = R_i * C_j / N`` and::

    chi2 = sum_ij (O_ij - E_ij) ** 2 / E_ij,    dof = K - 1,
    p = P(Chi2(dof) >= chi2)

This is scipy's ``chi2_contingency(table, correction=False)``. For the value
distribution no Yates correction is applied, even for K = 2 (two categories),
so that one formula holds for every K: 130/370 against 240/260 gives
chi2 = 51.909 (with Yates it would be 50.970). The 2 x 2 missing-rate table of
:mod:`.quality` is the one place that asks for Yates, through ``yates=True``,
matching scipy's default for one degree of freedom.

A single non-empty column has nothing to compare: chi2 = 0 and p = 1.0.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy.stats import chi2 as chi2_distribution

from .psi import categorical_psi
from .results import (
    FLAG_LOW_EXPECTED_COUNTS,
    FLAG_UNSEEN_CATEGORIES,
    EffectSize,
    TestResult,
)

__all__ = ["LOW_EXPECTED_COUNT", "chi2_homogeneity", "chi2_test"]

# Below this expected count the chi-square approximation is doubtful.
LOW_EXPECTED_COUNT = 5.0


def chi2_homogeneity(
    table: np.ndarray, *, yates: bool = False
) -> tuple[float, float, int, float]:
    """Return ``(chi2, p, dof, min_expected)`` for a 2 x K table of counts.

    ``yates=True`` applies the continuity correction when dof is 1, moving each
    observed count by at most 0.5 toward its expected count, as scipy does. A
    table with an empty row has no defined statistic; it returns ``(0, 1, 0, 0)``
    and callers report insufficient data before getting there.
    """
    observed = np.asarray(table, dtype=np.float64)
    observed = observed[:, observed.sum(axis=0) > 0]
    rows = observed.sum(axis=1)
    if observed.shape[1] < 2 or np.any(rows <= 0):
        return 0.0, 1.0, 0, float(observed.min(initial=0.0))

    expected = np.outer(rows, observed.sum(axis=0)) / observed.sum()
    dof = observed.shape[1] - 1
    if yates and dof == 1:
        diff = expected - observed
        observed = observed + np.sign(diff) * np.minimum(0.5, np.abs(diff))
    statistic = float(np.sum((observed - expected) ** 2 / expected))
    p_value = float(chi2_distribution.sf(statistic, dof))
    return statistic, p_value, dof, float(expected.min())


def chi2_test(ref: Mapping[str, int], cur: Mapping[str, int]) -> TestResult:
    """Compare two category counts with the homogeneity test, no Yates.

    The gate effect size is the categorical PSI over the union of categories.
    Flags: ``low_expected_counts`` when an expected count is below 5,
    ``unseen_categories`` when the current window holds a category the
    reference never had.
    """
    categories = sorted(set(ref) | set(cur))
    table = np.array(
        [[ref.get(c, 0) for c in categories], [cur.get(c, 0) for c in categories]],
        dtype=np.float64,
    )
    statistic, p_value, dof, min_expected = chi2_homogeneity(table)

    flags = set()
    if dof > 0 and min_expected < LOW_EXPECTED_COUNT:
        flags.add(FLAG_LOW_EXPECTED_COUNTS)
    if any(ref.get(c, 0) == 0 and n > 0 for c, n in cur.items()):
        flags.add(FLAG_UNSEEN_CATEGORIES)

    return TestResult(
        test="chi2",
        statistic=statistic,
        p_value=p_value,
        effect=EffectSize("psi", categorical_psi(ref, cur)),
        n_ref=int(table[0].sum()),
        n_cur=int(table[1].sum()),
        flags=frozenset(flags),
        dof=dof,
    )
