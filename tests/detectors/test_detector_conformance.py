"""The same checks on every registered detector (STYLE rule 4)."""

from __future__ import annotations

import math
import pickle

import pytest
from river import drift as river_drift
from river.drift import binary as river_binary

from stream_workers.detectors import DETECTOR_NAMES, Detector, make_detector
from stream_workers.errors import InvalidInputError

# Detection indices of each detector, with default parameters, on `error_step`.
# EDDM with river's default alpha/beta alarms often on a 10% error rate; that is
# the algorithm, recorded here so that a change in it is seen.
GOLDEN = {
    "adwin": [1021],
    "ddm": [1096],
    "eddm": [321, 666, 979, 1043, 1098, 1165, 1222, 1305, 1365],
    "hddm_a": [1006],
    "hddm_w": [1010, 1890],
    "kswin": [1021],
    "page_hinkley": [1098],
    "fhddm": [1035],
    "accuracy": [1499],
    "mae": [1499],
    "rmse": [1499],
}

# River itself, fed what our wrapper feeds it, is the independent reference.
RIVER_REFERENCE = {
    "adwin": (lambda: river_drift.ADWIN(clock=1), lambda e: e),
    "ddm": (river_binary.DDM, lambda e: e),
    "hddm_a": (river_binary.HDDMA, lambda e: e),
    "hddm_w": (river_binary.HDDMW, lambda e: e),
    "kswin": (lambda: river_drift.KSWIN(seed=0), lambda e: e),
    "page_hinkley": (river_drift.PageHinkley, lambda e: e),
    "fhddm": (river_binary.FHDDM, lambda e: 1 - e),
}


def _feed_values(detector: Detector, errors: list[int]) -> list[int]:
    if detector.input_field == "correct":
        return [1 - e for e in errors]
    return errors


def _trace(detector: Detector, values: list[int]) -> list[tuple[object, ...]]:
    trace = []
    for x in values:
        detector.update(x)
        statistic = None if math.isnan(detector.statistic) else detector.statistic
        trace.append(
            (
                detector.drift_detected,
                detector.warning_detected,
                statistic,
                detector.n_window,
            )
        )
    return trace


def test_registry_covers_the_designed_detectors() -> None:
    designed = {"adwin", "ddm", "eddm", "hddm_a", "hddm_w", "kswin", "page_hinkley"}

    assert designed | {"fhddm", "accuracy", "mae", "rmse"} == set(DETECTOR_NAMES)
    assert set(GOLDEN) == set(DETECTOR_NAMES)


@pytest.mark.parametrize("name", DETECTOR_NAMES)
def test_every_detector_follows_the_contract(name: str, error_step: list[int]) -> None:
    detector = make_detector(name, {})
    values = _feed_values(detector, error_step)

    returned = [detector.update(x) is detector for x in values[:50]]

    assert all(returned)
    assert isinstance(detector, Detector)
    assert detector.name == name
    assert detector.kind in ("concept", "performance")
    assert isinstance(detector.drift_detected, bool)
    assert isinstance(detector.warning_detected, bool)
    assert isinstance(detector.statistic, float)
    assert detector.n_seen == 50
    assert make_detector(name, detector.params).params == detector.params


@pytest.mark.parametrize("name", DETECTOR_NAMES)
def test_every_detector_pickles_mid_stream_and_continues_identically(
    name: str, error_step: list[int]
) -> None:
    detector = make_detector(name, {})
    values = _feed_values(detector, error_step)
    _trace(detector, values[:1010])

    restored = pickle.loads(pickle.dumps(detector))

    assert _trace(restored, values[1010:]) == _trace(detector, values[1010:])


@pytest.mark.parametrize("name", DETECTOR_NAMES)
def test_every_detector_is_deterministic(name: str, error_step: list[int]) -> None:
    first, second = make_detector(name, {}), make_detector(name, {})
    values = _feed_values(first, error_step)

    assert _trace(first, values) == _trace(second, values)


@pytest.mark.parametrize("name", DETECTOR_NAMES)
def test_every_detector_detects_the_seeded_step_at_its_golden_index(
    name: str, error_step: list[int], drift_indices
) -> None:
    detector = make_detector(name, {})

    found = drift_indices(detector, _feed_values(detector, error_step))

    assert found == GOLDEN[name]
    assert math.isfinite(detector.statistic)


@pytest.mark.parametrize("name", sorted(RIVER_REFERENCE))
def test_every_river_wrapper_matches_river_fed_directly(
    name: str, error_step: list[int], drift_indices
) -> None:
    build, transform = RIVER_REFERENCE[name]

    expected = drift_indices(build(), [transform(e) for e in error_step])

    assert drift_indices(make_detector(name, {}), error_step) == expected


@pytest.mark.parametrize("name", DETECTOR_NAMES)
def test_every_detector_is_quiet_during_its_warmup(
    name: str, error_step: list[int], drift_indices
) -> None:
    detector = make_detector(name, {"warmup": len(error_step)})

    found = drift_indices(detector, _feed_values(detector, error_step))

    assert found == []


@pytest.mark.parametrize("name", DETECTOR_NAMES)
def test_every_detector_rejects_nan_without_changing_state(
    name: str, error_step: list[int]
) -> None:
    fed, clean = make_detector(name, {}), make_detector(name, {})
    values = _feed_values(fed, error_step)
    _trace(fed, values[:500])
    _trace(clean, values[:500])

    with pytest.raises(InvalidInputError):
        fed.update(float("nan"))

    assert _trace(fed, values[500:]) == _trace(clean, values[500:])
