"""DetectorSet: what the concept worker feeds and checkpoints (cases 29 and 30)."""

from __future__ import annotations

import pickle

import pytest

from stream_workers.detectors import DetectorSet, DriftSignal
from stream_workers.errors import ConfigError, InvalidInputError

CORRECT = [1, 1, 0, 1, 1, 1, 0, 1, 1, 1]


ADWIN_DDM_ACCURACY = [{"name": "adwin"}, {"name": "ddm"}, {"name": "accuracy"}]


def _deliver(detectors: DetectorSet, order: list[int], *, with_ids: bool = True):
    for i in order:
        detectors.update(
            1 - CORRECT[i],
            event_time_ms=1_000 * i,
            correct=CORRECT[i],
            outcome_id=f"p{i}" if with_ids else None,
        )


def _step_stream() -> list[int]:
    return [1 if i % 10 == 0 else 0 for i in range(1000)] + [i % 2 for i in range(1000)]


def test_redelivered_outcomes_are_fed_once():
    detectors = DetectorSet(ADWIN_DDM_ACCURACY)
    redelivery = [0, 1, 2, 3, 4, 5, 6, 5, 6, 7, 8, 9]

    _deliver(detectors, redelivery)

    by_label = detectors.detectors
    assert by_label["accuracy"].metric == 0.80
    assert by_label["adwin"].n_seen == 10 and by_label["ddm"].n_seen == 10
    assert (detectors.n_seen, detectors.n_redelivered) == (10, 2)


def test_without_ids_a_redelivery_is_double_counted():
    detectors = DetectorSet(ADWIN_DDM_ACCURACY)

    _deliver(detectors, [0, 1, 2, 3, 4, 5, 6, 5, 6, 7, 8, 9], with_ids=False)

    assert detectors.detectors["accuracy"].metric == 0.75
    assert detectors.detectors["adwin"].n_seen == 12


def test_the_default_set_is_adwin_and_accuracy():
    detectors = DetectorSet(None)

    kinds = {label: d.kind for label, d in detectors.detectors.items()}

    assert kinds == {"adwin": "concept", "accuracy": "performance"}


def test_state_survives_a_checkpoint_and_restore():
    detectors = DetectorSet([{"name": "adwin"}, {"name": "accuracy"}])
    for i in range(100):
        correct = 0 if i % 10 == 0 else 1
        detectors.update(1 - correct, event_time_ms=i, correct=correct)

    restored: DetectorSet = pickle.loads(pickle.dumps(detectors))
    restored.update(0, event_time_ms=100, correct=1)

    accuracy = restored.detectors["accuracy"]
    assert (accuracy.n_window, accuracy.n_correct) == (101, 91)
    assert round(accuracy.metric, 4) == 0.9010
    assert restored.detectors["adwin"].width == 101


def test_a_restored_set_gives_the_same_signals_as_the_original():
    stream = _step_stream()
    detectors = DetectorSet(ADWIN_DDM_ACCURACY)
    for i, e in enumerate(stream[:900]):
        detectors.update(e, event_time_ms=i, correct=1 - e, outcome_id=str(i))

    restored = pickle.loads(pickle.dumps(detectors))

    def rest(target: DetectorSet) -> list[DriftSignal]:
        return [
            s
            for i, e in enumerate(stream[900:], start=900)
            for s in target.update(e, event_time_ms=i, correct=1 - e, outcome_id=str(i))
        ]

    expected = rest(detectors)
    assert rest(restored) == expected and len(expected) >= 3


def test_signals_describe_the_stretch_they_cover():
    detectors = DetectorSet(ADWIN_DDM_ACCURACY)
    stream = _step_stream()

    signals = [
        s
        for i, e in enumerate(stream)
        for s in detectors.update(e, event_time_ms=10 * i, correct=1 - e)
    ]

    adwin = next(s for s in signals if s.detector == "adwin")
    accuracy = next(s for s in signals if s.detector == "accuracy")
    assert (adwin.kind, adwin.level, adwin.index) == ("concept", "drift", 1039)
    assert (adwin.window_start_ms, adwin.window_end_ms) == (0, 10_390)
    assert (accuracy.kind, accuracy.level, accuracy.index) == (
        "performance",
        "drift",
        1499,
    )
    assert (accuracy.window_start_ms, accuracy.window_end_ms) == (10_000, 14_990)
    assert accuracy.statistic == 0.5 and accuracy.threshold == 0.85


def test_a_warning_is_reported_when_entered_not_while_it_lasts():
    detectors = DetectorSet([{"name": "ddm"}])
    stream = _step_stream()

    signals = [
        s for i, e in enumerate(stream) for s in detectors.update(e, event_time_ms=i)
    ]

    warnings = [s.index for s in signals if s.level == "warning"]
    drifts = [s.index for s in signals if s.level == "drift"]
    assert warnings == [1023] and drifts[0] == 1049


def test_a_value_one_detector_rejects_feeds_none_of_them():
    detectors = DetectorSet(ADWIN_DDM_ACCURACY, model_id="model_a")

    with pytest.raises(InvalidInputError, match="0 or 1") as caught:
        detectors.update(0.5, event_time_ms=0, correct=True, outcome_id="p0")

    assert caught.value.model_id == "model_a" and caught.value.detector == "ddm"
    assert all(d.n_seen == 0 for d in detectors.detectors.values())
    assert detectors.n_rejected == 1

    detectors.update(0, event_time_ms=0, correct=True, outcome_id="p0")
    assert detectors.n_seen == 1


def test_accuracy_needs_the_correct_flag():
    detectors = DetectorSet(ADWIN_DDM_ACCURACY)

    with pytest.raises(InvalidInputError, match="needs `correct`"):
        detectors.update(0, event_time_ms=0)


def test_event_time_must_be_integer_milliseconds():
    with pytest.raises(InvalidInputError, match="event_time_ms"):
        DetectorSet().update(0, event_time_ms=1.5, correct=True)  # type: ignore[arg-type]


def test_regression_set_runs_without_correct():
    detectors = DetectorSet(
        [{"name": "adwin"}, {"name": "mae", "params": {"window_size": 10}}]
    )

    for i in range(30):
        detectors.update(0.5 if i < 20 else 5.0, event_time_ms=i)

    assert detectors.detectors["mae"].baseline == 0.5


def test_one_algorithm_twice_needs_labels():
    with pytest.raises(ConfigError, match="adwin used twice"):
        DetectorSet([{"name": "adwin"}, {"name": "adwin"}])

    detectors = DetectorSet(
        [
            {"name": "adwin"},
            {"name": "adwin", "label": "adwin_32", "params": {"clock": 32}},
        ]
    )
    assert list(detectors.detectors) == ["adwin", "adwin_32"]


def test_a_per_detector_gate_overrides_the_set_gate():
    detectors = DetectorSet(
        [
            {"name": "adwin", "params": {"clock": 32}},
            {
                "name": "adwin",
                "label": "gated",
                "params": {"clock": 32},
                "gate": {"cooldown_events": 5000},
            },
        ],
    )
    values = [0.8] * 1000 + [0.4] * 1000 + [0.6] * 1000

    signals = [
        s for i, x in enumerate(values) for s in detectors.update(x, event_time_ms=i)
    ]

    assert [(s.detector, s.index) for s in signals] == [
        ("adwin", 1023),
        ("gated", 1023),
        ("adwin", 2047),
    ]
    assert detectors.gates[("gated", "drift")].n_held == 1


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([], "at least one"),
        (["adwin"], "mapping with a `name`"),
        ([{"name": "adwin", "parms": {}}], "unknown key"),
        ([{"name": "nope"}], "unknown detector"),
        ([{"name": "adwin", "label": ""}], "`label`"),
    ],
)
def test_bad_detector_entries_are_config_errors(entries, message):
    with pytest.raises(ConfigError, match=message):
        DetectorSet(entries)
