"""SignalGate: N-of-M confirmation and cooldowns, deterministic and picklable."""

from __future__ import annotations

import pickle

import pytest

from stream_workers.detectors import GateSettings, SignalGate
from stream_workers.errors import ConfigError


def _offer_all(gate: SignalGate, fires: list[int], step_ms: int = 1000) -> list[int]:
    return [
        gate.offer(bool(f), index=i, event_time_ms=i * step_ms)
        for i, f in enumerate(fires)
    ]


def test_default_gate_passes_every_detection():
    counts = _offer_all(SignalGate(), [0, 1, 0, 1, 1])

    assert counts == [0, 1, 0, 1, 1]


def test_event_cooldown_holds_detections_and_counts_them_in_the_next_alert():
    gate = SignalGate(GateSettings(cooldown_events=3))

    counts = _offer_all(gate, [1, 1, 1, 0, 1, 1])

    assert counts == [1, 0, 0, 0, 3, 0]
    assert (gate.n_raw, gate.n_emitted, gate.n_held) == (5, 2, 1)


def test_time_cooldown_uses_event_time():
    gate = SignalGate(GateSettings(cooldown_ms=2500))

    counts = _offer_all(gate, [1, 1, 1, 1], step_ms=1000)

    assert counts == [1, 0, 0, 3]


def test_event_time_going_backwards_stays_in_a_time_cooldown():
    gate = SignalGate(GateSettings(cooldown_ms=1000))
    gate.offer(True, index=0, event_time_ms=10_000)

    assert gate.offer(True, index=1, event_time_ms=5_000) == 0


def test_n_of_m_needs_enough_detections_close_together():
    gate = SignalGate(GateSettings(confirm_n=2, confirm_m=3))

    counts = _offer_all(gate, [1, 0, 0, 1, 0, 1, 0, 0])

    assert counts == [0, 0, 0, 0, 0, 3, 0, 0]


def test_gate_pickles_and_continues_identically():
    gate = SignalGate(GateSettings(cooldown_events=2, confirm_n=2, confirm_m=4))
    fires = [1, 0, 1, 1, 0, 1, 1, 1, 0, 1]
    _offer_all(gate, fires[:4])

    restored = pickle.loads(pickle.dumps(gate))

    rest = list(enumerate(fires))[4:]
    counts = [gate.offer(bool(f), index=i, event_time_ms=i) for i, f in rest]
    again = [restored.offer(bool(f), index=i, event_time_ms=i) for i, f in rest]
    assert counts == again and sum(counts) > 0


@pytest.mark.parametrize(
    ("settings", "argument"),
    [
        ({"confirm_n": 3, "confirm_m": 2}, "confirm_m"),
        ({"confirm_n": 0}, "confirm_n"),
        ({"cooldown_ms": -1}, "cooldown_ms"),
        ({"cooldown_events": 1.5}, "cooldown_events"),
    ],
)
def test_gate_settings_reject_bad_values_by_name(settings, argument):
    with pytest.raises(ConfigError, match=f"`{argument}`"):
        GateSettings.from_mapping(settings)


def test_gate_settings_reject_unknown_keys():
    with pytest.raises(ConfigError, match="cooldown"):
        GateSettings.from_mapping({"cooldown": 5})


def test_gate_settings_must_be_a_mapping():
    with pytest.raises(ConfigError, match="mapping"):
        GateSettings.from_mapping([("cooldown_ms", 5)])  # type: ignore[arg-type]
