"""Multiple-testing correction of one window's p-values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import false_discovery_control

from stream_workers.detectors.data import correct_pvalues
from stream_workers.errors import ConfigError

CASE_27 = [0.03, 0.21, 0.47, 0.66, 0.012, 0.88, 0.35, 0.09, 0.74, 0.52]
CASE_27 += [0.18, 0.95, 0.41, 0.27, 0.61, 0.08, 0.33, 0.99, 0.56, 0.70]


def test_uncorrected_twenty_null_features_raise_two_false_alarms():
    adjusted = correct_pvalues(CASE_27, "none")

    assert int(np.sum(adjusted < 0.05)) == 2
    assert 1 - 0.95**20 == pytest.approx(0.64, abs=5e-3)


@pytest.mark.parametrize("method", ["bonferroni", "holm", "bh"])
def test_corrected_twenty_null_features_raise_no_alarm(method):
    adjusted = correct_pvalues(CASE_27, method)

    assert int(np.sum(adjusted < 0.05)) == 0


def test_bh_smallest_adjusted_value_matches_case_27():
    adjusted = correct_pvalues(CASE_27, "bh")

    assert adjusted.min() == pytest.approx(0.24)
    np.testing.assert_allclose(adjusted, false_discovery_control(CASE_27), rtol=1e-12)


def test_holm_matches_the_step_down_definition():
    p = [0.01, 0.04, 0.03, 0.005]

    adjusted = correct_pvalues(p, "holm")

    np.testing.assert_allclose(adjusted, [0.03, 0.06, 0.06, 0.02])


def test_nan_and_empty_inputs_never_alert():
    assert correct_pvalues([], "holm").size == 0
    assert correct_pvalues([float("nan"), 0.001], "bh")[0] == 1.0


def test_unknown_method_is_a_config_error_naming_the_field():
    with pytest.raises(ConfigError) as error:
        correct_pvalues([0.1], "fdr")  # type: ignore[arg-type]

    assert error.value.field == "correction"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=30))
def test_bh_equals_scipy_false_discovery_control(p):
    ours = correct_pvalues(p, "bh")

    np.testing.assert_allclose(ours, false_discovery_control(p), rtol=1e-12, atol=0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=30))
def test_holm_is_between_raw_and_bonferroni(p):
    raw, holm = np.array(p), correct_pvalues(p, "holm")

    assert np.all(holm >= raw - 1e-15)
    assert np.all(holm <= correct_pvalues(p, "bonferroni") + 1e-15)
