"""DDM: case 03 (constant streams) and the 0/1 input contract of case 10."""

from __future__ import annotations

import pytest
from river.drift import binary as river_binary

from stream_workers.detectors import DDM
from stream_workers.errors import InvalidInputError


@pytest.mark.parametrize("value", [0, 1])
def test_ddm_never_signals_on_a_constant_error_stream(value):
    detector = DDM(warm_start=30)
    drifts = warnings = 0

    for _ in range(200):
        detector.update(value)
        drifts += detector.drift_detected
        warnings += detector.warning_detected

    assert (drifts, warnings) == (0, 0)


@pytest.mark.parametrize("value", [0, 1])
def test_river_ddm_agrees_on_constant_streams(value, drift_indices):
    assert drift_indices(river_binary.DDM(warm_start=30), [value] * 200) == []


def test_ddm_rejects_probabilities_that_river_would_average():
    detector = DDM()

    with pytest.raises(InvalidInputError, match="binarize_at"):
        detector.update(0.1)

    assert detector.n_seen == 0


def test_river_ddm_gives_a_meaningless_detection_on_probabilities(drift_indices):
    probabilities = [0.1] * 500 + [0.9] * 500

    assert drift_indices(river_binary.DDM(), probabilities) == [516]


def test_ddm_binarizes_only_with_an_explicit_threshold(drift_indices):
    probabilities = [0.1] * 500 + [0.9] * 500

    found = drift_indices(DDM(binarize_at=0.5), probabilities)

    assert found == [500]


def test_ddm_reports_its_statistic_against_its_threshold():
    detector = DDM()

    for i in range(2000):
        detector.update(int(i % 10 == 0) if i < 1000 else i % 2)
        if detector.drift_detected:
            break

    assert detector.statistic > detector.threshold
