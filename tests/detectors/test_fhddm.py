"""FHDDM: fed errors like every detector, it must see a rising error rate."""

from __future__ import annotations

from river.drift import binary as river_binary

from stream_workers.detectors import FHDDM

RISING = [1 if i % 10 == 0 else 0 for i in range(1000)] + [
    1 if i % 2 == 0 else 0 for i in range(1000)
]


def test_fhddm_detects_a_rising_error_rate(drift_indices):
    assert drift_indices(FHDDM(), RISING) == [1066]


def test_river_fhddm_fed_errors_misses_the_rise(drift_indices):
    assert drift_indices(river_binary.FHDDM(), RISING) == []
    assert drift_indices(river_binary.FHDDM(), [1 - x for x in RISING]) == [1066]


def test_fhddm_statistic_exceeds_its_bound_on_detection():
    detector = FHDDM()

    for x in RISING:
        if detector.update(x).drift_detected:
            break

    assert detector.statistic > detector.threshold
