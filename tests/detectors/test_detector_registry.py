"""make_detector: names, parameters and the messages of bad configuration."""

from __future__ import annotations

import pytest

from stream_workers.detectors import (
    ADWIN,
    DDM,
    DETECTOR_NAMES,
    EDDM,
    KSWIN,
    detector_class,
    make_detector,
)
from stream_workers.errors import ConfigError


@pytest.mark.parametrize("name", DETECTOR_NAMES)
def test_every_name_builds_its_class(name):
    detector = make_detector(name, None)

    assert type(detector) is detector_class(name)


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(ConfigError, match="adwin, ddm, eddm") as caught:
        make_detector("adwinn", {})

    assert caught.value.field == "detectors.name"


def test_unknown_parameter_lists_the_accepted_ones():
    with pytest.raises(ConfigError, match="accepted: delta, clock") as caught:
        make_detector("adwin", {"clok": 1})

    assert caught.value.field == "adwin.params.clok"


def test_params_must_be_a_mapping():
    with pytest.raises(ConfigError, match="mapping"):
        make_detector("adwin", [("clock", 1)])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: ADWIN(delta=2), r"`delta` must be a finite number in \(0, 1\)"),
        (lambda: ADWIN(clock=0), "`clock` must be an integer >= 1"),
        (lambda: ADWIN(clock=True), "`clock` must be an integer"),
        (lambda: DDM(drift_threshold=1.0), "at least `warning_threshold`"),
        (lambda: EDDM(alpha=0.8, beta=0.9), "`beta`"),
        (lambda: KSWIN(window_size=50, stat_size=30), "half of `window_size`"),
        (lambda: make_detector("hddm_a", {"two_sided_test": "yes"}), "true or false"),
        (lambda: make_detector("adwin", {"binarize_at": 0.5}), "unknown parameter"),
        (lambda: make_detector("ddm", {"warmup": -1}), "`warmup`"),
    ],
)
def test_bad_arguments_are_named_with_their_allowed_values(build, message):
    with pytest.raises(ConfigError, match=message):
        build()


def test_config_error_is_a_driftline_error_not_a_bare_value_error():
    with pytest.raises(ConfigError) as caught:
        ADWIN(delta=0)

    assert caught.value.field == "adwin.delta"
