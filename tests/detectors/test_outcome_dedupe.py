"""RecentIds: redelivered outcome IDs are recognised, memory stays bounded."""

from __future__ import annotations

import pickle

import pytest

from stream_workers.detectors import RecentIds
from stream_workers.errors import ConfigError


def test_an_id_is_new_once():
    ids = RecentIds(capacity=4)

    assert ids.add("p1") is True
    assert ids.add("p1") is False
    assert "p1" in ids and len(ids) == 1


def test_the_oldest_id_is_forgotten_first():
    ids = RecentIds(capacity=3)
    for key in ["a", "b", "c", "d"]:
        ids.add(key)

    assert "a" not in ids
    assert all(key in ids for key in "bcd") and len(ids) == 3


def test_recent_ids_pickle_round_trip():
    ids = RecentIds(capacity=2)
    ids.add("a")
    ids.add("b")

    restored = pickle.loads(pickle.dumps(ids))
    restored.add("c")

    assert "a" not in restored and "b" in restored and "c" in restored


def test_capacity_must_be_positive():
    with pytest.raises(ConfigError, match="`capacity`"):
        RecentIds(capacity=0)
