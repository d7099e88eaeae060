"""The alert latch raises each drift once and re-arms after clean windows."""

from __future__ import annotations

import pickle

import pytest

from stream_workers.detectors.data import DriftLatch
from stream_workers.errors import ConfigError


def test_persistent_drift_alerts_once():
    latch = DriftLatch()

    raised = [latch.update({"x": True, "y": False}) for _ in range(5)]

    assert raised == [("x",), (), (), (), ()]
    assert latch.latched == {"x"}


def test_latch_rearms_after_the_configured_clean_windows():
    latch = DriftLatch(rearm_after=2)
    latch.update({"x": True})

    after_one = [latch.update({"x": False}), latch.update({"x": True})]
    after_two = [latch.update({"x": False}), latch.update({"x": False})]
    again = latch.update({"x": True})

    assert after_one == [(), ()]
    assert after_two == [(), ()]
    assert again == ("x",)


def test_untested_window_neither_alerts_nor_rearms():
    latch = DriftLatch()
    latch.update({"x": True})

    latch.update({"x": None})
    raised = latch.update({"x": True})

    assert raised == ()


def test_latch_state_survives_pickling():
    latch = DriftLatch()
    latch.update({"x": True})

    restored = pickle.loads(pickle.dumps(latch))

    assert restored.update({"x": True}) == ()


def test_rearm_after_must_be_positive():
    with pytest.raises(ConfigError):
        DriftLatch(rearm_after=0)
