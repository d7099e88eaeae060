"""The evaluator: verdicts per feature, corrections, gates and quality signals."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import ks_2samp

from stream_workers.detectors.data import (
    ClosedWindow,
    DataDriftEvaluator,
    DriftConfig,
    Reference,
    ReferenceBuilder,
    to_categorical,
    to_numeric,
)
from stream_workers.errors import ConfigError


def _window(columns: dict) -> ClosedWindow:
    n_rows = max(c.n_rows for c in columns.values())
    return ClosedWindow(0, n_rows, n_rows, columns)


def _numeric_reference(values: list) -> Reference:
    return Reference.from_rows([{"num": v} for v in values], {"num": "numeric"})


def test_all_missing_current_window_is_insufficient_data_not_a_verdict():
    reference = _numeric_reference([1, 2, 3, 4, 5] * 1000)
    window = _window({"num": to_numeric([None, None])})

    report = DataDriftEvaluator(reference).evaluate(window)

    verdict = report.features["num"]
    assert report.status == "insufficient_data"
    assert verdict.status == "insufficient_data" and verdict.drift is None
    assert verdict.reason == "current window has no valid values"
    assert report.quality["num"].n_missing == 2
    assert report.drifted_share == 0.0


def test_empty_window_reports_why_it_was_not_tested():
    reference = _numeric_reference([1.0, 2.0, 3.0])
    window = ClosedWindow(0, 0, 0, {"num": to_numeric([])})

    report = DataDriftEvaluator(reference).evaluate(window)

    assert report.status == "insufficient_data"
    assert report.reason == "the window is empty"


def test_single_nan_in_the_reference_is_dropped_and_counted():
    values = [1.0, math.nan, 3.0] + list(np.linspace(0, 4, 297))
    reference = _numeric_reference(values)
    window = _window({"num": to_numeric(list(np.linspace(0, 4, 200)))})

    report = DataDriftEvaluator(reference).evaluate(window)

    assert reference.columns["num"].n_missing == 1
    assert report.features["num"].status == "ok"
    assert math.isfinite(report.features["num"].result.p_value)


def test_constant_column_keeps_the_drifted_share_finite():
    reference = Reference.from_rows([{"c": "a"}] * 50, {"c": "categorical"})
    window = _window({"c": to_categorical(["a"] * 50)})

    report = DataDriftEvaluator(reference, DriftConfig(min_window_size=10)).evaluate(
        window
    )

    assert report.features["c"].result.p_value == 1.0
    assert report.features["c"].drift is False
    assert report.drifted_share == 0.0


def test_disjoint_ranges_drift_when_the_window_is_large_enough():
    ref = [1.4, 1.4, 1.3, 1.5, 1.4, 1.7, 1.4, 1.5, 1.4, 1.5]
    ref += [1.5, 1.6, 1.4, 1.1, 1.2, 1.5, 1.3, 1.4, 1.7, 1.5]
    cur = [6.0, 5.1, 5.9, 5.6, 5.8, 6.6, 4.5, 6.3, 5.8, 6.1]
    cur += [5.1, 5.3, 5.5, 5.0, 5.1, 5.3, 5.5, 6.7, 6.9, 5.0]
    evaluator = DataDriftEvaluator(
        _numeric_reference(ref), DriftConfig(min_window_size=20)
    )

    report = evaluator.evaluate(_window({"num": to_numeric(cur)}))

    assert report.features["num"].drift is True
    assert report.drifted == ("num",) and report.drifted_share == 1.0


def test_reference_under_the_cap_gives_scipys_p_value_bit_for_bit():
    rng = np.random.default_rng(123)
    ref, cur = rng.normal(size=5000), rng.normal(size=20000)
    evaluator = DataDriftEvaluator(_numeric_reference(list(ref)))
    window = _window({"num": to_numeric(list(cur))})

    p_values = {
        evaluator.evaluate(window).features["num"].result.p_value for _ in range(10)
    }

    assert p_values == {ks_2samp(ref, cur).pvalue}
    assert evaluator.evaluate(window).features["num"].drift is False


def test_small_shift_in_a_large_window_is_significant_but_not_drift():
    n = 2000
    a = np.sort(np.random.default_rng(5).normal(size=n))
    evaluator = DataDriftEvaluator(_numeric_reference(list(a)), DriftConfig(alpha=0.5))

    report = evaluator.evaluate(_window({"num": to_numeric(list(a + 0.05))}))

    verdict = report.features["num"]
    assert verdict.p_corrected < 0.5
    assert verdict.result.effect.value < 0.1
    assert verdict.drift is False


def test_missing_rate_jump_alerts_while_the_values_do_not_drift():
    rng = np.random.default_rng(3)
    reference = _numeric_reference(list(rng.normal(size=1000)))
    current = list(rng.normal(size=500)) + [None] * 500

    report = DataDriftEvaluator(reference).evaluate(
        _window({"num": to_numeric(current)})
    )

    signal = report.quality["num"]
    assert report.features["num"].drift is False
    assert signal.missing_ratio == 0.5 and signal.ref_missing_ratio == 0.0
    assert signal.missing_test.statistic == pytest.approx(664.0, abs=5e-3)
    assert signal.missing_alert is True


def test_new_category_raises_the_unseen_signal_even_without_drift():
    reference = Reference.from_rows(
        [{"c": "a"}] * 5 + [{"c": "b"}] * 5, {"c": "categorical"}
    )
    window = _window({"c": to_categorical(["a"] * 8 + ["b"] * 3 + ["c"] * 5)})
    config = DriftConfig(min_window_size=5)

    report = DataDriftEvaluator(reference, config).evaluate(window)

    assert report.features["c"].result.p_value == pytest.approx(0.0789, abs=5e-5)
    assert report.features["c"].drift is False
    assert report.quality["c"].unseen_categories == ("c",)
    assert report.quality["c"].unseen_alert is True
    assert report.quality_states()["unseen:c"] is True


def test_prediction_and_confidence_are_judged_like_features():
    builder = ReferenceBuilder(
        {"x": "numeric"}, prediction_type="categorical", track_confidence=True
    )
    rng = np.random.default_rng(0)
    for i in range(1000):
        builder.add({"x": float(rng.normal())}, prediction="ab"[i % 2], confidence=0.9)
    window = _window(
        {
            "x": to_numeric(list(rng.normal(size=500))),
            "__prediction__": to_categorical(["a"] * 450 + ["b"] * 50),
            "__confidence__": to_numeric([0.6] * 500),
        }
    )

    report = DataDriftEvaluator(builder.build()).evaluate(window)

    assert report.prediction.drift is True
    assert report.confidence.drift is True
    assert report.drifted == ()
    assert report.drift_states()["__prediction__"] is True


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"alpha": 0.0}, "alpha"),
        ({"correction": "fdr"}, "correction"),
        ({"ks_d_threshold": -0.1}, "ks_d_threshold"),
        ({"min_window_size": 0}, "min_window_size"),
        ({"numeric_effect": "auc"}, "numeric_effect"),
    ],
)
def test_invalid_settings_are_config_errors_naming_the_field(settings, field):
    with pytest.raises(ConfigError) as error:
        DriftConfig(**settings)

    assert error.value.field == field
