"""HDDM-A and HDDM-W: case 06, a fall in the error rate."""

from __future__ import annotations

import pytest

from stream_workers.detectors import HDDMA, HDDMW
from stream_workers.errors import InvalidInputError

FALLING = [i % 2 for i in range(1000)] + [0] * 1000


@pytest.mark.parametrize(("cls", "expected"), [(HDDMA, [1015]), (HDDMW, [1033])])
def test_hddm_two_sided_reports_a_falling_error_rate(cls, expected, drift_indices):
    assert drift_indices(cls(two_sided_test=True), FALLING) == expected


@pytest.mark.parametrize("cls", [HDDMA, HDDMW])
def test_hddm_one_sided_ignores_a_falling_error_rate(cls, drift_indices):
    assert drift_indices(cls(), FALLING) == []


@pytest.mark.parametrize("cls", [HDDMA, HDDMW])
def test_hddm_takes_values_in_the_unit_interval_only(cls):
    detector = cls()
    detector.update(0.25)

    with pytest.raises(InvalidInputError, match=r"\[0, 1\]"):
        detector.update(1.5)

    assert detector.n_seen == 1
