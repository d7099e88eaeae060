"""The reference: exact under the cap, bounded and deterministic above it."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from stream_workers.detectors.data import (
    CONFIDENCE,
    PREDICTION,
    Reference,
    ReferenceBuilder,
)
from stream_workers.errors import ConfigError


def _rows(n: int, seed: int = 0) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed)
    x, colour = rng.normal(size=n), rng.choice(["red", "green", "blue"], size=n)
    return [{"x": float(a), "colour": str(b)} for a, b in zip(x, colour, strict=True)]


def test_reference_under_the_cap_keeps_every_value():
    rows = _rows(500) + [{"x": None, "colour": None}]

    reference = Reference.from_rows(rows, {"x": "numeric", "colour": "categorical"})

    x = reference.columns["x"]
    expected = np.sort([r["x"] for r in rows[:500]])
    np.testing.assert_array_equal(x.values, expected)
    assert (x.n_rows, x.n_missing, x.n_valid) == (501, 1, 500)
    assert sum(reference.columns["colour"].counts.values()) == 500


def test_reference_over_the_cap_is_a_bounded_deterministic_sample():
    rows = _rows(5000)
    types = {"x": "numeric", "colour": "categorical"}

    first = Reference.from_rows(rows, types, sample_cap=1000, seed=7)
    again = ReferenceBuilder(types, sample_cap=1000, seed=7, chunk_rows=333)
    for row in rows:
        again.add(row)
    second = again.build()

    assert first.columns["x"].sample.size == 1000
    np.testing.assert_array_equal(first.columns["x"].values, second.columns["x"].values)
    assert first.columns["x"].n_valid == 5000


def test_integer_valued_features_store_in_a_small_dtype_without_loss():
    rows = [{"n": i % 100} for i in range(3000)]

    reference = Reference.from_rows(rows, {"n": "numeric"})

    column = reference.columns["n"]
    assert column.sample.dtype == np.int8
    assert column.values.dtype == np.float64
    assert column.values.sum() == sum(r["n"] for r in rows)


def test_reference_tracks_prediction_and_confidence_when_asked():
    builder = ReferenceBuilder(
        {"x": "numeric"}, prediction_type="categorical", track_confidence=True
    )

    builder.add({"x": 1.0}, prediction="cat", confidence=0.9)
    reference = builder.build()

    assert set(reference.column_types) == {"x", PREDICTION, CONFIDENCE}
    assert reference.feature_types == {"x": "numeric"}
    assert dict(reference.columns[PREDICTION].counts) == {"cat": 1}


def test_twenty_feature_reference_round_trips_through_pickle():
    rng = np.random.default_rng(1)
    types = {f"num{i}": "numeric" for i in range(10)}
    types |= {f"cat{i}": "categorical" for i in range(10)}
    builder = ReferenceBuilder(types)
    numbers = rng.normal(size=(20_000, 10))
    categories = rng.integers(0, 8, size=(20_000, 10))
    for i in range(20_000):
        row: dict[str, object] = {f"num{j}": numbers[i, j] for j in range(10)}
        row |= {f"cat{j}": f"c{categories[i, j]}" for j in range(10)}
        builder.add(row)

    reference = builder.build()
    payload = pickle.dumps(reference, protocol=pickle.HIGHEST_PROTOCOL)
    restored = pickle.loads(payload)

    assert len(payload) < 10 * 10_000 * 8 + 50_000
    np.testing.assert_array_equal(
        restored.columns["num3"].values, reference.columns["num3"].values
    )
    assert restored.columns["cat3"].counts == reference.columns["cat3"].counts


@pytest.mark.parametrize("cap", [0, -1, 2.5])
def test_sample_cap_must_be_a_positive_integer(cap):
    with pytest.raises(ConfigError) as error:
        ReferenceBuilder({"x": "numeric"}, sample_cap=cap)

    assert error.value.field == "sample_cap"
