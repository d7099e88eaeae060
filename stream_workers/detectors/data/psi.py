"""Population Stability Index with one fixed, documented smoothing.

PSI compares two sets of bin proportions::

    PSI = sum_i (c_i - r_i) * ln(c_i / r_i)

where ``r_i`` and ``c_i`` are the reference and current proportions of bin ``i``.
An empty bin makes the raw formula infinite, so both proportion vectors are
clipped from below at :data:`PSI_EPSILON` (``1e-4``) and **not** renormalised.
The value depends strongly on that choice (for one empty bin out of ten, clipping
at 1e-6 gives 1.17 where 1e-4 gives 0.708), so the constant is fixed here and
should be quoted next to any PSI value shown to a user.

Numbers are binned on the reference deciles: nine inner edges taken from the
reference sample, duplicates removed (a point mass merges bins), and a value
equal to an edge goes to the bin above it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = [
    "PSI_EPSILON",
    "bin_counts",
    "categorical_psi",
    "decile_edges",
    "psi_from_counts",
    "psi_from_proportions",
]

PSI_EPSILON = 1e-4

_DECILES = np.linspace(0.1, 0.9, 9)


def psi_from_proportions(ref: np.ndarray, cur: np.ndarray) -> float:
    """Return the PSI of two proportion vectors, clipped at :data:`PSI_EPSILON`."""
    ref_p = np.maximum(np.asarray(ref, dtype=np.float64), PSI_EPSILON)
    cur_p = np.maximum(np.asarray(cur, dtype=np.float64), PSI_EPSILON)
    return float(np.sum((cur_p - ref_p) * np.log(cur_p / ref_p)))


def psi_from_counts(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    """Return the PSI of two count vectors over the same bins.

    An all-zero vector has no proportions; the PSI is then 0.0 by convention and
    callers are expected to have reported insufficient data before asking.
    """
    ref = np.asarray(ref_counts, dtype=np.float64)
    cur = np.asarray(cur_counts, dtype=np.float64)
    if ref.sum() <= 0 or cur.sum() <= 0:
        return 0.0
    return psi_from_proportions(ref / ref.sum(), cur / cur.sum())


def decile_edges(sample: np.ndarray) -> np.ndarray:
    """Return the distinct inner decile edges of a non-empty sample."""
    return np.unique(np.quantile(sample, _DECILES))


def bin_counts(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Count ``values`` in the ``len(edges) + 1`` bins that ``edges`` delimit."""
    index = np.searchsorted(edges, values, side="right")
    return np.bincount(index, minlength=edges.size + 1)


def categorical_psi(ref: Mapping[str, int], cur: Mapping[str, int]) -> float:
    """Return the PSI of two category counts over the union of their categories."""
    categories = sorted(set(ref) | set(cur))
    ref_counts = np.array([ref.get(c, 0) for c in categories], dtype=np.float64)
    cur_counts = np.array([cur.get(c, 0) for c in categories], dtype=np.float64)
    return psi_from_counts(ref_counts, cur_counts)
