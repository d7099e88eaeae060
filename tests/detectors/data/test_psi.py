"""PSI: the fixed smoothing, and binning on reference deciles."""

from __future__ import annotations

import math

import numpy as np
import pytest

from stream_workers.detectors.data import (
    PSI_EPSILON,
    categorical_psi,
    psi_from_counts,
)
from stream_workers.detectors.data.psi import bin_counts, decile_edges


def test_empty_bin_gives_the_documented_finite_psi():
    ref = np.array([10] * 10)
    cur = np.array([0, 12, 12, 12, 12, 12, 10, 10, 10, 10])

    psi = psi_from_counts(ref, cur)

    assert PSI_EPSILON == 1e-4
    assert psi == pytest.approx(0.7083, abs=5e-5)
    assert psi > 0.25


def test_identical_counts_give_zero():
    assert psi_from_counts(np.array([3, 5, 2]), np.array([6, 10, 4])) == 0.0


def test_categorical_psi_covers_categories_seen_in_one_window_only():
    psi = categorical_psi({"a": 5, "b": 5}, {"a": 8, "b": 3, "c": 5})

    assert math.isfinite(psi)
    assert psi > 0.2


def test_point_mass_merges_decile_bins_and_both_windows_bin_alike():
    sample = np.array([-1.0] * 70 + list(range(1, 31)), dtype=np.float64)

    edges = decile_edges(sample)
    counts = bin_counts(sample, edges)

    assert np.all(np.diff(edges) > 0)
    assert counts.sum() == sample.size
    assert counts.size == edges.size + 1
