"""Windowed accuracy, MAE and RMSE against a baseline; the declining-trend rule."""

from __future__ import annotations

import math
import pickle

import pytest

from stream_workers.detectors import WindowedAccuracy, WindowedMAE, WindowedRMSE
from stream_workers.errors import ConfigError, InvalidInputError


def _windows(*accuracies: float, size: int = 100) -> list[int]:
    stream = []
    for accuracy in accuracies:
        correct = round(accuracy * size)
        stream += [1] * correct + [0] * (size - correct)
    return stream


def _signals(detector, stream) -> list[tuple[int, str]]:
    found = []
    for i, x in enumerate(stream):
        detector.update(x)
        if detector.drift_detected:
            found.append((i, "drift"))
        if detector.warning_detected:
            found.append((i, "warning"))
    return found


def test_accuracy_state_survives_a_restart():
    detector = WindowedAccuracy(window_size=500)
    for i in range(100):
        detector.update(0 if i % 10 == 0 else 1)
    assert (detector.n_window, detector.n_correct) == (100, 90)

    restored = pickle.loads(pickle.dumps(detector))
    restored.update(1)

    assert (restored.n_window, restored.n_correct) == (101, 91)
    assert round(restored.metric, 4) == 0.9010
    assert restored.metric == 91 / 101


def test_accuracy_learns_its_baseline_from_the_first_full_window():
    detector = WindowedAccuracy(window_size=100)

    found = _signals(detector, _windows(0.9))

    assert found == [] and detector.baseline == 0.9
    assert math.isclose(detector.threshold, 0.85)


def test_accuracy_signals_a_degradation_once_then_relearns():
    detector = WindowedAccuracy(window_size=100, tolerance=0.05, trend_windows=0)

    found = _signals(detector, _windows(0.9, 0.88, 0.7, 0.7, 0.7))

    assert found == [(299, "drift")]
    assert detector.baseline == 0.7


def test_accuracy_with_a_fixed_baseline_stays_quiet_until_recovery():
    detector = WindowedAccuracy(window_size=100, baseline=0.9, trend_windows=0)

    found = _signals(detector, _windows(0.7, 0.7, 0.9, 0.7))

    assert found == [(99, "drift"), (399, "drift")]
    assert detector.params["baseline"] == 0.9


def test_accuracy_warns_after_declining_in_each_of_the_last_windows():
    detector = WindowedAccuracy(window_size=100, tolerance=0.2, trend_windows=3)

    found = _signals(detector, _windows(0.95, 0.94, 0.92, 0.9, 0.89))

    assert found == [(399, "warning")]


def test_a_flat_window_breaks_the_declining_trend():
    detector = WindowedAccuracy(window_size=100, tolerance=0.2, trend_windows=3)

    found = _signals(detector, _windows(0.95, 0.94, 0.94, 0.92, 0.91))

    assert found == []


def test_metric_is_the_open_window_and_nan_before_any_update():
    detector = WindowedAccuracy(window_size=10)

    assert math.isnan(detector.metric)
    detector.update(True).update(False).update(True).update(True)

    assert detector.metric == 0.75 and detector.n_window == 4


def test_warmup_outcomes_are_left_out_of_the_windows():
    detector = WindowedAccuracy(window_size=10, warmup=5)

    for x in [0] * 5 + [1] * 10:
        detector.update(x)

    assert detector.baseline == 1.0 and detector.n_seen == 15


def test_mae_and_rmse_of_a_window():
    errors = [1.0, -3.0, 2.0, -2.0]
    mae, rmse = WindowedMAE(window_size=4), WindowedRMSE(window_size=4)

    for e in errors:
        mae.update(e)
        rmse.update(e)

    assert mae.metric == 2.0 and mae.baseline == 2.0
    assert math.isclose(rmse.metric, math.sqrt(18 / 4))


def test_mae_signals_when_the_error_grows_beyond_tolerance():
    detector = WindowedMAE(window_size=50, tolerance=0.5, trend_windows=0)
    stream = [1.0] * 50 + [1.4] * 50 + [1.6] * 50

    found = _signals(detector, stream)

    assert found == [(149, "drift")]
    assert detector.threshold == 1.5


def test_accuracy_takes_only_zero_or_one():
    with pytest.raises(InvalidInputError, match="0 or 1"):
        WindowedAccuracy().update(0.5)


@pytest.mark.parametrize(
    ("params", "argument"),
    [
        ({"window_size": 0}, "window_size"),
        ({"tolerance": -0.1}, "tolerance"),
        ({"baseline": 1.5}, "baseline"),
        ({"trend_windows": -1}, "trend_windows"),
    ],
)
def test_accuracy_rejects_bad_arguments_by_name(params, argument):
    with pytest.raises(ConfigError, match=f"`{argument}`") as caught:
        WindowedAccuracy(**params)

    assert caught.value.field == f"accuracy.{argument}"
