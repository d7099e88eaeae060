"""Data-quality signals: the missing-rate test and unseen categories."""

from __future__ import annotations

import pytest
from scipy.stats import chi2_contingency

from stream_workers.detectors.data import missing_rate_test, unseen_categories


def test_missing_rate_jump_is_significant_with_yates_as_in_scipy():
    result = missing_rate_test(
        ref_missing=0, ref_rows=1000, cur_missing=500, cur_rows=1000
    )
    expected = chi2_contingency([[0, 1000], [500, 500]])

    assert result.statistic == pytest.approx(664.0, abs=5e-3)
    assert result.p_value == pytest.approx(2.0e-146, rel=0.01)
    assert result.statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert result.effect.name == "missing_ratio_delta"
    assert result.effect.value == 0.5


def test_no_missing_anywhere_gives_p_one():
    result = missing_rate_test(0, 1000, 0, 300)

    assert result.statistic == 0.0
    assert result.p_value == 1.0


def test_unseen_categories_are_listed_with_their_volume():
    names, count = unseen_categories({"a": 5, "b": 5}, {"a": 8, "b": 3, "c": 5, "d": 1})

    assert names == ("c", "d")
    assert count == 6
