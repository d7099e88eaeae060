"""Page-Hinkley: case 04, the direction a mode watches."""

from __future__ import annotations

import pytest

from stream_workers.detectors import PageHinkley
from stream_workers.errors import ConfigError

CASE_PARAMS = {"min_instances": 30, "delta": 0.005, "threshold": 50, "alpha": 0.9999}
DROP = [5.0] * 300 + [0.0] * 300
RISE = [0.0] * 300 + [5.0] * 300


@pytest.mark.parametrize(
    ("mode", "stream", "expected"),
    [
        ("both", DROP, [310]),
        ("down", DROP, [310]),
        ("up", DROP, []),
        ("up", RISE, [310]),
        ("both", RISE, [310]),
        ("down", RISE, []),
    ],
)
def test_page_hinkley_sees_only_the_directions_its_mode_watches(
    mode, stream, expected, drift_indices
):
    detector = PageHinkley(mode=mode, **CASE_PARAMS)

    assert drift_indices(detector, stream) == expected


def test_page_hinkley_watches_both_directions_by_default():
    assert PageHinkley().mode == "both"


def test_page_hinkley_rejects_an_unknown_mode_naming_the_choices():
    with pytest.raises(ConfigError, match="'up', 'down', 'both'"):
        PageHinkley(mode="sideways")
