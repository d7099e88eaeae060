"""The input guard: what reaches river and what is rejected (cases 09 and 10)."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from stream_workers.detectors import coerce_input
from stream_workers.errors import InvalidInputError, RecordError


@pytest.mark.parametrize(
    "bad",
    [math.nan, math.inf, -math.inf, np.float64("nan"), "1", "0.5", None, 1j, [1], b"1"],
)
@pytest.mark.parametrize("domain", ["real", "unit", "binary"])
def test_guard_rejects_what_is_not_a_finite_number(bad, domain):
    with pytest.raises(InvalidInputError) as caught:
        coerce_input(bad, domain=domain, detector="adwin")

    assert caught.value.detector == "adwin"
    assert isinstance(caught.value, RecordError)


@pytest.mark.parametrize(
    ("good", "expected"),
    [
        (True, 1.0),
        (False, 0.0),
        (np.bool_(True), 1.0),
        (np.int64(1), 1.0),
        (np.float32(0.0), 0.0),
        (Fraction(1, 1), 1.0),
        (1, 1.0),
    ],
)
def test_guard_accepts_numbers_and_booleans_as_zero_or_one(good, expected):
    assert coerce_input(good, domain="binary", detector="ddm") == expected


@pytest.mark.parametrize(
    ("domain", "bad"), [("binary", 0.5), ("binary", 2), ("unit", 1.5)]
)
def test_guard_rejects_values_outside_the_domain(domain, bad):
    with pytest.raises(InvalidInputError, match="binarize_at"):
        coerce_input(bad, domain=domain, detector="ddm")


def test_guard_takes_any_finite_real_in_the_real_domain():
    assert coerce_input(Fraction(-5, 2), domain="real", detector="adwin") == -2.5


def test_guard_rejects_decimal_which_is_not_a_real_number_type():
    with pytest.raises(InvalidInputError, match="Decimal"):
        coerce_input(Decimal("1"), domain="real", detector="adwin")


@pytest.mark.parametrize(("value", "expected"), [(0.49, 0.0), (0.5, 1.0), (7, 1.0)])
def test_guard_binarizes_at_the_threshold(value, expected):
    got = coerce_input(value, domain="binary", detector="ddm", binarize_at=0.5)

    assert got == expected


def test_guard_does_not_binarize_nan():
    with pytest.raises(InvalidInputError, match="finite"):
        coerce_input(math.nan, domain="binary", detector="ddm", binarize_at=0.5)
