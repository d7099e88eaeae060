"""Data-quality signals that a distribution test cannot see.

Dropping nulls before a test is right for the test and wrong for monitoring: a
feature whose missing rate jumps from 0 % to 50 % keeps the same distribution of
its non-null values. The missing rate therefore gets its own test, a chi-square
homogeneity test on the 2 x 2 table (reference, current) x (missing, present).
Unlike the value test of :mod:`.chi2`, this one applies Yates' continuity
correction, as scipy's ``chi2_contingency`` does by default for one degree of
freedom: 1000/0 against 500/500 gives chi2 = 664.0, p = 2.0e-146 (666.7 without
it). The table has fixed shape, often with very few missing values in the
reference, where the uncorrected statistic overstates the evidence.

A category never seen in the reference is news even when the chi-square test is
not significant, so it is reported as a signal of its own.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .chi2 import chi2_homogeneity
from .results import EffectSize, TestResult

__all__ = ["missing_rate_test", "unseen_categories"]


def missing_rate_test(
    ref_missing: int, ref_rows: int, cur_missing: int, cur_rows: int
) -> TestResult:
    """Test whether the share of missing values differs between two windows.

    The effect size ``missing_ratio_delta`` is the current minus the reference
    missing ratio. Both windows must have at least one row; otherwise the
    statistic is 0 and the p-value 1.0.
    """
    table = np.array(
        [[ref_missing, ref_rows - ref_missing], [cur_missing, cur_rows - cur_missing]]
    )
    statistic, p_value, dof, _ = chi2_homogeneity(table, yates=True)
    ref_ratio = ref_missing / ref_rows if ref_rows else 0.0
    cur_ratio = cur_missing / cur_rows if cur_rows else 0.0
    return TestResult(
        test="missing_chi2",
        statistic=statistic,
        p_value=p_value,
        effect=EffectSize("missing_ratio_delta", cur_ratio - ref_ratio),
        n_ref=ref_rows,
        n_cur=cur_rows,
        dof=dof,
    )


def unseen_categories(
    ref: Mapping[str, int], cur: Mapping[str, int]
) -> tuple[tuple[str, ...], int]:
    """Return the current categories absent from the reference (sorted) and how
    many current values they account for."""
    unseen = sorted(c for c, n in cur.items() if n > 0 and ref.get(c, 0) == 0)
    return tuple(unseen), sum(cur[c] for c in unseen)
