"""ADWIN: cases 01 (one signal per change), 07 (clock) and 09 (NaN input)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from river import drift as river_drift

from stream_workers.detectors import ADWIN, DetectorSet, PageHinkley
from stream_workers.errors import InvalidInputError

CONSTANT = [0.8] * 1000 + [0.4] * 1000 + [0.6] * 1000


def _noisy() -> list[float]:
    rs = np.random.RandomState(42)
    segments = [rs.normal(0.8, 0.05, 1000), rs.normal(0.4, 0.02, 1000)]
    segments.append(rs.normal(0.6, 0.1, 1000))
    return [float(x) for x in np.concatenate(segments)]


ERROR_RATE_STEP = [1 if i % 10 == 0 else 0 for i in range(1000)] + [
    i % 2 for i in range(1000)
]


def _feed_skipping_invalid(detector, values) -> tuple[list[int], list[int], int]:
    accepted, original, rejected = [], [], 0
    for i, x in enumerate(values):
        try:
            detector.update(x)
        except InvalidInputError:
            rejected += 1
            continue
        if detector.drift_detected:
            accepted.append(detector.n_seen - 1)
            original.append(i)
    return accepted, original, rejected


@pytest.mark.parametrize(
    ("clock", "stream", "expected"),
    [
        (32, "constant", [1023, 2047]),
        (32, "noisy", [1023, 2047]),
        (1, "constant", [1020, 2039]),
        (1, "noisy", [1022, 2045]),
    ],
)
def test_adwin_signals_each_change_once(clock, stream, expected, drift_indices):
    values = CONSTANT if stream == "constant" else _noisy()

    found = drift_indices(ADWIN(clock=clock), values)

    assert found == expected
    assert 1000 <= found[0] < 1100 and 2000 <= found[1] < 2100


def test_adwin_in_a_detector_set_gives_exactly_two_alerts():
    detectors = DetectorSet([{"name": "adwin", "params": {"clock": 32}}])

    signals = [
        s for i, x in enumerate(CONSTANT) for s in detectors.update(x, event_time_ms=i)
    ]

    assert [(s.index, s.level) for s in signals] == [(1023, "drift"), (2047, "drift")]
    assert signals[1].window_start_ms == 1024 and signals[1].n_window == 1024


def test_adwin_checks_every_sample_by_default():
    assert ADWIN().clock == 1
    assert ADWIN().params["clock"] == 1


@pytest.mark.parametrize(("clock", "expected"), [(1, [1039]), (32, [1055])])
def test_adwin_clock_sets_detection_index_on_error_rate_step(
    clock, expected, drift_indices
):
    assert drift_indices(ADWIN(clock=clock), ERROR_RATE_STEP) == expected


@pytest.mark.parametrize("clock", [2, 4, 8, 16, 32, 64])
def test_adwin_clock_adds_fewer_samples_of_delay_than_its_value(clock, drift_indices):
    for stream in (ERROR_RATE_STEP, CONSTANT):
        every_sample = drift_indices(ADWIN(clock=1), stream)[0]

        delay = drift_indices(ADWIN(clock=clock), stream)[0] - every_sample

        assert 0 <= delay < clock


def test_adwin_clock_32_adds_16_and_3_samples_as_in_the_case(drift_indices):
    step = drift_indices(ADWIN(clock=32), ERROR_RATE_STEP)[0]
    constant = drift_indices(ADWIN(clock=32), CONSTANT)[0]

    assert step - drift_indices(ADWIN(clock=1), ERROR_RATE_STEP)[0] == 16
    assert constant - drift_indices(ADWIN(clock=1), CONSTANT)[0] == 3


def test_adwin_rejects_nan_and_still_detects_the_shift(drift_indices):
    values = [0.0] * 200 + [math.nan] + [0.0] * 200 + [1.0] * 300
    nan_as_zero = [0.0 if math.isnan(x) else x for x in values]

    accepted, original, rejected = _feed_skipping_invalid(ADWIN(clock=32), values)

    assert rejected == 1
    assert drift_indices(river_drift.ADWIN(), nan_as_zero) == [415]
    assert accepted == [415] and original == [416]


def test_adwin_with_default_clock_detects_the_nan_stream_sooner():
    values = [0.0] * 200 + [math.nan] + [0.0] * 200 + [1.0] * 300

    accepted, original, rejected = _feed_skipping_invalid(ADWIN(), values)

    assert (accepted, original, rejected) == ([410], [411], 1)


def test_raw_river_adwin_is_blinded_by_one_nan(drift_indices):
    values = [0.0] * 200 + [math.nan] + [0.0] * 200 + [1.0] * 300
    detector = river_drift.ADWIN()

    assert drift_indices(detector, values) == []
    assert math.isnan(detector.estimation)


@pytest.mark.parametrize("bad", [math.inf, -math.inf])
def test_adwin_rejects_infinity_and_does_not_alarm_afterwards(bad):
    values = [0.0] * 200 + [bad] + [0.0] * 200 + [1.0] * 300

    accepted, original, rejected = _feed_skipping_invalid(ADWIN(clock=32), values)

    assert rejected == 1 and accepted == [415]


def test_page_hinkley_rejects_nan_and_still_detects_the_shift():
    values = [0.0] * 200 + [math.nan] + [0.0] * 200 + [5.0] * 300

    accepted, original, rejected = _feed_skipping_invalid(PageHinkley(), values)

    assert rejected == 1
    assert len(accepted) == 1 and 400 < accepted[0] < 420
