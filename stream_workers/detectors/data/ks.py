"""Two-sample Kolmogorov-Smirnov test for numeric features.

The statistic and p-value are scipy's ``ks_2samp`` with its default method
(exact when both samples have at most 10,000 values, asymptotic otherwise), called
on the very arrays given, so that our numbers can be checked against scipy's.
Missing values must be removed before the call; an empty sample is never passed
to scipy (it would warn and return NaN), it is reported as insufficient data by
the caller instead.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.stats import ks_2samp

from .psi import bin_counts, decile_edges, psi_from_counts
from .results import EffectSize, TestResult

__all__ = ["ks_test"]


def ks_test(
    ref: np.ndarray,
    cur: np.ndarray,
    *,
    edges: np.ndarray | None = None,
    ref_bin_counts: np.ndarray | None = None,
) -> TestResult:
    """Compare two non-empty samples of finite numbers.

    The gate effect size is the KS distance ``D``. PSI on the reference deciles
    and the Wasserstein-1 distance are reported as extra effects; pass ``edges``
    and ``ref_bin_counts`` precomputed from a reference to avoid recomputing them.
    Raises ``ValueError`` when either sample is empty.
    """
    if ref.size == 0 or cur.size == 0:
        raise ValueError("ks_test needs two non-empty samples; drop the empty window")
    # Sorted once here; scipy sorts again, which is cheap on sorted input.
    ref, cur = np.sort(ref), np.sort(cur)

    # scipy may fall back from exact to asymptotic with a RuntimeWarning; the
    # fallback value is still scipy's answer, so the warning carries no news here.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "ks_2samp: Exact calculation unsuccessful")
        outcome = ks_2samp(ref, cur)
    statistic = float(outcome.statistic)
    p_value = float(outcome.pvalue)

    if edges is None or ref_bin_counts is None:
        edges = decile_edges(ref)
        ref_bin_counts = bin_counts(ref, edges)
    psi = psi_from_counts(ref_bin_counts, bin_counts(cur, edges))
    wasserstein = _wasserstein_sorted(ref, cur)

    return TestResult(
        test="ks",
        statistic=statistic,
        p_value=p_value,
        effect=EffectSize("ks_d", statistic),
        n_ref=int(ref.size),
        n_cur=int(cur.size),
        extra_effects=(EffectSize("psi", psi), EffectSize("wasserstein", wasserstein)),
    )


def _wasserstein_sorted(ref: np.ndarray, cur: np.ndarray) -> float:
    """Wasserstein-1 distance of two sorted samples: the area between their
    empirical CDFs, equal to ``scipy.stats.wasserstein_distance`` without its
    per-call overhead."""
    points = np.concatenate([ref, cur])
    points.sort()
    widths = np.diff(points)
    ref_cdf = np.searchsorted(ref, points[:-1], side="right") / ref.size
    cur_cdf = np.searchsorted(cur, points[:-1], side="right") / cur.size
    return float(np.sum(np.abs(ref_cdf - cur_cdf) * widths))
