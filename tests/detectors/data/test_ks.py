"""KS on numbers: the field cases, and agreement with scipy on any sample."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import ks_2samp, norm, wasserstein_distance

from stream_workers.detectors.data import ks_test

HEAVY_TIES = np.array([-1.0] * 70 + list(range(1, 31)), dtype=np.float64)


def _point_mass_sample(rng: np.random.Generator, n: int) -> np.ndarray:
    is_mass = rng.random(n) < 0.7
    return np.where(is_mass, -1, rng.integers(1, 400, size=n)).astype(np.float64)


def test_identical_windows_with_a_point_mass_give_p_one():
    result = ks_test(HEAVY_TIES, HEAVY_TIES.copy())

    assert result.statistic == 0.0
    assert result.p_value == 1.0


def test_heavy_ties_variant_matches_case_17():
    rng = np.random.default_rng(0)
    ref, cur = _point_mass_sample(rng, 5000), _point_mass_sample(rng, 5000)

    result = ks_test(ref, cur)

    assert result.statistic == pytest.approx(0.008, abs=5e-4)
    assert result.p_value == pytest.approx(0.997, abs=5e-4)
    assert result.p_value == ks_2samp(ref, cur).pvalue


def test_disjoint_ranges_are_drift_with_the_exact_p_value():
    ref = np.array(
        [1.4, 1.4, 1.3, 1.5, 1.4, 1.7, 1.4, 1.5, 1.4, 1.5]
        + [1.5, 1.6, 1.4, 1.1, 1.2, 1.5, 1.3, 1.4, 1.7, 1.5]
    )
    cur = np.array(
        [6.0, 5.1, 5.9, 5.6, 5.8, 6.6, 4.5, 6.3, 5.8, 6.1]
        + [5.1, 5.3, 5.5, 5.0, 5.1, 5.3, 5.5, 6.7, 6.9, 5.0]
    )

    result = ks_test(ref, cur)

    assert result.statistic == 1.0
    assert result.p_value == pytest.approx(1.4509e-11, rel=1e-4)
    assert result.effect.name == "ks_d" and result.effect.value == 1.0


def test_large_null_samples_give_the_same_p_value_on_every_run():
    rng = np.random.default_rng(123)
    ref, cur = rng.normal(size=5000), rng.normal(size=20000)

    p_values = {ks_test(ref, cur).p_value for _ in range(10)}
    result = ks_test(ref, cur)

    assert len(p_values) == 1
    assert result.statistic == pytest.approx(0.0072, abs=5e-5)
    assert result.p_value == pytest.approx(0.9847, abs=5e-5)


@pytest.mark.slow
def test_very_large_null_samples_match_case_19_large_variant():
    rng = np.random.default_rng(123)
    ref, cur = rng.normal(size=50_000), rng.normal(size=561_000)

    result = ks_test(ref, cur)

    assert result.statistic == pytest.approx(0.004147, abs=5e-7)
    assert result.p_value == pytest.approx(0.4076, abs=5e-5)


@pytest.mark.parametrize(
    ("n", "d", "p"), [(2000, 0.0080, 1.0), (200_000, 0.00798, 5.9e-6)]
)
def test_tiny_shift_reports_small_effects_whatever_the_p_value(n, d, p):
    a = norm.ppf((np.arange(n) + 0.5) / n)
    b = a + 0.02

    result = ks_test(a, b)

    assert result.statistic == pytest.approx(d, abs=5e-6)
    assert result.p_value == pytest.approx(p, rel=0.02)
    assert result.effect_value("psi") == pytest.approx(0.0004, abs=5e-5)
    assert result.effect_value("wasserstein") == pytest.approx(0.020, abs=5e-4)
    assert (result.n_ref, result.n_cur) == (n, n)


def test_empty_sample_is_refused_before_scipy_sees_it():
    with pytest.raises(ValueError, match="non-empty"):
        ks_test(np.empty(0), np.ones(3))


_samples = st.lists(st.integers(-5, 5) | st.floats(-1e3, 1e3), min_size=1, max_size=60)


@settings(max_examples=150, deadline=None)
@given(ref=_samples, cur=_samples)
def test_statistic_and_p_value_equal_scipy_on_any_samples(ref, cur):
    ref_a, cur_a = np.array(ref, dtype=float), np.array(cur, dtype=float)

    result = ks_test(ref_a, cur_a)
    with warnings.catch_warnings():
        # scipy's own fallback from exact to asymptotic; its value is the reference.
        warnings.filterwarnings("ignore", "ks_2samp: Exact calculation unsuccessful")
        expected = ks_2samp(ref_a, cur_a)

    assert result.statistic == expected.statistic
    assert result.p_value == expected.pvalue
    assert 0.0 <= result.p_value <= 1.0


@settings(max_examples=100, deadline=None)
@given(ref=_samples, cur=_samples)
def test_wasserstein_effect_equals_scipy_on_any_samples(ref, cur):
    ref_a, cur_a = np.array(ref, dtype=float), np.array(cur, dtype=float)

    result = ks_test(ref_a, cur_a)

    expected = wasserstein_distance(ref_a, cur_a)
    assert result.effect_value("wasserstein") == pytest.approx(
        expected, rel=1e-9, abs=1e-9
    )
