"""Calibrating a detector parameter for a target ARL on a Bernoulli error stream."""

from __future__ import annotations

import pytest

from stream_workers.detectors.calibration import calibrate, estimate_arl
from stream_workers.errors import ConfigError


def test_page_hinkley_threshold_meets_target_arl_on_a_fresh_stream() -> None:
    # Arrange: a target of one false alarm per 1,000 events at a 20 % error rate.
    target = 1_000

    # Act
    found = calibrate("page_hinkley", "threshold", target, 0.2, seed=1)
    arl, alarms = estimate_arl(
        "page_hinkley",
        {"threshold": found.value},
        error_rate=0.2,
        events=100_000,
        seed=99,
    )

    # Assert: an independent stream of about 100 alarms agrees within 30 %.
    assert alarms > 50
    assert arl == pytest.approx(target, rel=0.3)


def test_longer_target_gives_a_quieter_threshold() -> None:
    short = calibrate("page_hinkley", "threshold", 500, 0.2, iterations=10)
    long = calibrate("page_hinkley", "threshold", 2_000, 0.2, iterations=10)

    assert long.value > short.value


def test_unreachable_target_is_a_config_error() -> None:
    # ADWIN hardly ever alarms on a stationary stream, even at delta 0.5.
    with pytest.raises(ConfigError, match="outside"):
        calibrate("adwin", "delta", 50, 0.2, expected_alarms=5)


def test_unknown_parameter_is_a_config_error_naming_the_choices() -> None:
    with pytest.raises(ConfigError, match=r"adwin\.delta"):
        calibrate("kswin", "alpha", 1_000, 0.2)
