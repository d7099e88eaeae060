"""EDDM: case 10, input contract and the censored first gap."""

from __future__ import annotations

import pytest
from river.drift import binary as river_binary

from stream_workers.detectors import EDDM
from stream_workers.errors import InvalidInputError

PERIODIC_THEN_HALF = [1 if i % 20 == 19 else 0 for i in range(1000)] + [
    1 if i % 2 == 0 else 0 for i in range(1000)
]
FIRST_ERROR_AT_ZERO = [1 if i % 20 == 0 else 0 for i in range(1000)] + [
    1 if i % 2 == 0 else 0 for i in range(1000)
]


def test_eddm_rejects_probabilities():
    detector = EDDM()

    with pytest.raises(InvalidInputError, match="0 or 1"):
        detector.update(0.9)


@pytest.mark.parametrize("text", ["1", "0"])
def test_eddm_rejects_strings_from_json(text):
    with pytest.raises(InvalidInputError, match="str"):
        EDDM().update(text)


def test_river_eddm_silently_ignores_non_binary_input(drift_indices):
    probabilities = [0.1] * 500 + [0.9] * 500
    as_text = ["1" if x else "0" for x in PERIODIC_THEN_HALF]

    assert drift_indices(river_binary.EDDM(), probabilities) == []
    assert drift_indices(river_binary.EDDM(), as_text) == []


def test_eddm_binarizes_probabilities_with_an_explicit_threshold(drift_indices):
    scores = [0.9 if x else 0.1 for x in PERIODIC_THEN_HALF]

    found = drift_indices(EDDM(binarize_at=0.5), scores)

    assert found == drift_indices(EDDM(), PERIODIC_THEN_HALF) == [1118]


def test_eddm_detects_the_rise_in_error_rate_once(drift_indices):
    assert drift_indices(river_binary.EDDM(), PERIODIC_THEN_HALF) == [1120]

    assert drift_indices(EDDM(), PERIODIC_THEN_HALF) == [1118]


def test_eddm_ignores_the_gap_before_the_first_error(drift_indices):
    assert drift_indices(river_binary.EDDM(), FIRST_ERROR_AT_ZERO) == [600, 1050]

    found = drift_indices(EDDM(), FIRST_ERROR_AT_ZERO)

    assert found == [1122]
    assert all(index >= 1000 for index in found)


def test_eddm_ignores_the_first_gap_again_after_a_reset(drift_indices):
    # After the drift at 1122 the errors come every other sample; a stream that
    # returns to a steady 1-in-20 rate must not alarm because of a short first gap.
    steady = [1 if i % 20 == 0 else 0 for i in range(2000)]

    found = drift_indices(EDDM(), FIRST_ERROR_AT_ZERO + steady)

    assert [i for i in found if i >= 2000 + 100] == []
