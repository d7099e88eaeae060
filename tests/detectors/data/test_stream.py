"""End to end on a seeded stream: silence when stationary, one alert on a shift.

100,000 predictions with 10 numeric and 10 categorical features; the first 5,000
build the reference and the rest go through tumbling windows of 5,000. The
latch turns a drift that persists over many windows into a single alert.
"""

from __future__ import annotations

import numpy as np
import pytest

from stream_workers.detectors.data import (
    DataDriftEvaluator,
    DriftConfig,
    DriftLatch,
    ReferenceBuilder,
    Windower,
    WindowSpec,
)

N_EVENTS, N_REFERENCE, WINDOW = 100_000, 5_000, 5_000
NUMERIC = [f"num{i}" for i in range(10)]
CATEGORICAL = [f"cat{i}" for i in range(10)]
TYPES = {n: "numeric" for n in NUMERIC} | {n: "categorical" for n in CATEGORICAL}


def _stream(shift_from: int | None) -> tuple[list[dict], list[str], list[float]]:
    rng = np.random.default_rng(2024)
    numbers = rng.normal(
        loc=np.arange(10), scale=1 + np.arange(10) / 5, size=(N_EVENTS, 10)
    )
    if shift_from is not None:
        numbers[shift_from:, 3] += 1 + 3 / 5  # one standard deviation of num3
    numbers[rng.random(N_EVENTS) < 0.01, 0] = np.nan
    weights = np.array([0.4, 0.3, 0.15, 0.1, 0.05])
    labels = np.array(["a", "b", "c", "d", "e"])
    categories = labels[rng.choice(5, size=(N_EVENTS, 10), p=weights)]
    rows = [
        dict(zip(NUMERIC, map(float, n), strict=True))
        | dict(zip(CATEGORICAL, map(str, c), strict=True))
        for n, c in zip(numbers, categories, strict=True)
    ]
    predictions = list(rng.choice(["cat", "dog"], size=N_EVENTS))
    confidences = list(rng.uniform(0.5, 1.0, size=N_EVENTS))
    return rows, predictions, confidences


def _alerts(shift_from: int | None) -> list[tuple[int, tuple[str, ...]]]:
    rows, predictions, confidences = _stream(shift_from)
    builder = ReferenceBuilder(
        TYPES, prediction_type="categorical", track_confidence=True
    )
    for i in range(N_REFERENCE):
        builder.add(rows[i], prediction=predictions[i], confidence=confidences[i])
    reference = builder.build()
    windower = Windower(WindowSpec(size=WINDOW), reference.column_types)
    evaluator = DataDriftEvaluator(reference, DriftConfig(correction="holm"))
    latch = DriftLatch()

    windows = windower.add_batch(
        rows[N_REFERENCE:],
        predictions=predictions[N_REFERENCE:],
        confidences=confidences[N_REFERENCE:],
    )
    alerts = []
    for window in windows:
        report = evaluator.evaluate(window)
        raised = latch.update(report.drift_states())
        if raised:
            alerts.append((window.start + N_REFERENCE, raised))
    assert len(windows) == (N_EVENTS - N_REFERENCE) // WINDOW
    return alerts


@pytest.mark.slow
def test_stationary_stream_raises_no_alert():
    assert _alerts(shift_from=None) == []


@pytest.mark.slow
def test_shift_in_one_feature_raises_exactly_one_alert_naming_it():
    alerts = _alerts(shift_from=50_000)

    assert alerts == [(50_000, ("num3",))]
