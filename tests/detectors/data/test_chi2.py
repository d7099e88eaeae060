"""Chi-square homogeneity on categories: the field cases and agreement with scipy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2_contingency

from stream_workers.detectors.data import chi2_homogeneity, chi2_test
from stream_workers.detectors.data.results import (
    FLAG_LOW_EXPECTED_COUNTS,
    FLAG_UNSEEN_CATEGORIES,
)


def test_category_missing_from_current_window_gives_finite_values():
    result = chi2_test({"a": 5, "b": 5, "c": 5}, {"a": 8, "b": 3})

    assert result.statistic == pytest.approx(5.712, abs=5e-4)
    assert result.dof == 2
    assert result.p_value == pytest.approx(0.0575, abs=5e-5)
    assert FLAG_LOW_EXPECTED_COUNTS in result.flags
    assert FLAG_UNSEEN_CATEGORIES not in result.flags


def test_new_category_is_a_column_of_its_own_and_is_flagged():
    result = chi2_test({"a": 5, "b": 5}, {"a": 8, "b": 3, "c": 5})

    assert result.statistic == pytest.approx(5.078, abs=5e-4)
    assert result.dof == 2
    assert result.p_value == pytest.approx(0.0789, abs=5e-5)
    assert {FLAG_LOW_EXPECTED_COUNTS, FLAG_UNSEEN_CATEGORIES} <= result.flags
    assert np.isfinite(result.effect.value)


def test_two_categories_use_the_homogeneity_formula_without_yates():
    result = chi2_test({"good": 130, "bad": 370}, {"good": 240, "bad": 260})

    assert result.statistic == pytest.approx(51.909051909, abs=1e-6)
    assert result.p_value == pytest.approx(5.81318e-13, rel=1e-5)
    assert result.dof == 1


def test_same_proportions_at_different_sizes_give_chi2_zero():
    result = chi2_test({"good": 100, "bad": 500}, {"good": 50, "bad": 250})

    assert result.statistic == pytest.approx(0.0, abs=1e-12)
    assert result.p_value == pytest.approx(1.0)


def test_ten_rows_against_ten_thousand_with_same_proportions_give_p_one():
    result = chi2_test({"good": 2000, "bad": 8000}, {"good": 2, "bad": 8})

    assert result.statistic == pytest.approx(0.0, abs=1e-12)
    assert result.p_value == pytest.approx(1.0)


@pytest.mark.parametrize("n_cur", [50, 10])
def test_constant_column_gives_p_one_never_nan(n_cur):
    result = chi2_test({"a": 50}, {"a": n_cur})

    assert result.statistic == 0.0
    assert result.p_value == 1.0
    assert result.dof == 0


def test_yates_is_applied_only_when_asked_and_dof_is_one():
    table = np.array([[130, 370], [240, 260]])

    plain = chi2_homogeneity(table)[0]
    corrected = chi2_homogeneity(table, yates=True)[0]

    assert plain == pytest.approx(51.909051909, abs=1e-6)
    assert corrected == pytest.approx(50.970, abs=5e-4)


_counts = st.lists(st.integers(0, 40), min_size=1, max_size=8)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_statistic_and_p_value_equal_scipy_on_any_table(data):
    ref = data.draw(_counts)
    cur = data.draw(st.lists(st.integers(0, 40), min_size=len(ref), max_size=len(ref)))
    table = np.array([ref, cur])
    kept = table[:, table.sum(axis=0) > 0]
    if kept.shape[1] < 2 or np.any(kept.sum(axis=1) == 0):
        return

    statistic, p_value, dof, _ = chi2_homogeneity(table)
    expected = chi2_contingency(kept, correction=False)

    assert statistic == pytest.approx(expected.statistic, rel=1e-9, abs=1e-12)
    assert p_value == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)
    assert dof == expected.dof
