"""Tumbling and sliding windows, by count and by event time."""

from __future__ import annotations

import numpy as np
import pytest

from stream_workers.detectors.data import (
    CONFIDENCE,
    PREDICTION,
    Windower,
    WindowSpec,
    column_types,
)
from stream_workers.errors import ConfigError, InvalidInputError

TYPES = column_types(
    {"x": "numeric", "c": "categorical"},
    prediction_type="categorical",
    track_confidence=True,
)


def _feed(windower: Windower, n: int, start: int = 0) -> list:
    closed = []
    for i in range(start, start + n):
        closed.extend(
            windower.add(
                {"x": float(i), "c": f"k{i % 3}"}, prediction="a", confidence=0.5
            )
        )
    return closed


def test_tumbling_count_windows_close_every_size_records():
    windower = Windower(WindowSpec(size=10), TYPES)

    closed = _feed(windower, 35)

    assert [(w.start, w.end, w.n_rows) for w in closed] == [
        (0, 10, 10),
        (10, 20, 10),
        (20, 30, 10),
    ]
    np.testing.assert_array_equal(closed[1].columns["x"].values, np.arange(10, 20))
    assert dict(closed[0].columns[PREDICTION].counts) == {"a": 10}
    assert closed[0].columns[CONFIDENCE].values.size == 10


def test_sliding_count_windows_overlap_by_size_minus_step():
    windower = Windower(WindowSpec(kind="sliding", size=10, step=5), TYPES)

    closed = _feed(windower, 25)

    assert [(w.start, w.end) for w in closed] == [(0, 10), (5, 15), (10, 20), (15, 25)]
    np.testing.assert_array_equal(closed[1].columns["x"].values, np.arange(5, 15))
    assert sum(closed[1].columns["c"].counts.values()) == 10


def test_batch_add_gives_the_same_windows_as_single_adds():
    rows = [{"x": float(i), "c": f"k{i % 3}"} for i in range(47)]
    single, batch = (
        Windower(WindowSpec(size=10), TYPES),
        Windower(WindowSpec(size=10), TYPES),
    )

    by_one = [w for r in rows for w in single.add(r, prediction="a", confidence=0.5)]
    by_batch = batch.add_batch(rows, predictions=["a"] * 47, confidences=[0.5] * 47)

    assert [(w.start, w.end) for w in by_one] == [(w.start, w.end) for w in by_batch]
    for a, b in zip(by_one, by_batch, strict=True):
        np.testing.assert_array_equal(a.columns["x"].values, b.columns["x"].values)
        assert a.columns["c"].counts == b.columns["c"].counts
    assert single.flush()[0].n_rows == batch.flush()[0].n_rows == 7


def test_time_windows_close_when_the_watermark_passes_the_end():
    windower = Windower(WindowSpec(by="time", size=1000), TYPES)

    early = windower.add({"x": 1.0}, timestamp_ms=100)
    also = windower.add({"x": 2.0}, timestamp_ms=999)
    closed = windower.add({"x": 3.0}, timestamp_ms=1000)

    assert early == () and also == ()
    assert [(w.start, w.end, w.n_rows) for w in closed] == [(0, 1000, 2)]


def test_late_record_for_a_closed_time_window_is_counted_and_dropped():
    windower = Windower(WindowSpec(by="time", size=1000), TYPES)
    windower.add({"x": 1.0}, timestamp_ms=100)
    windower.add({"x": 2.0}, timestamp_ms=1500)

    closed = windower.add({"x": 3.0}, timestamp_ms=200)

    assert closed == ()
    assert windower.late_count == 1


def test_grace_keeps_a_time_window_open_for_out_of_order_records():
    windower = Windower(WindowSpec(by="time", size=1000, grace_ms=500), TYPES)
    windower.add({"x": 1.0}, timestamp_ms=100)
    windower.add({"x": 2.0}, timestamp_ms=1200)

    windower.add({"x": 3.0}, timestamp_ms=900)
    closed = windower.add({"x": 4.0}, timestamp_ms=1600)

    assert [(w.start, w.n_rows) for w in closed] == [(0, 2)]
    assert windower.late_count == 0


def test_sliding_time_windows_skip_gaps_without_empty_windows():
    spec = WindowSpec(kind="sliding", by="time", size=2000, step=1000)
    windower = Windower(spec, TYPES)
    windower.add({"x": 1.0}, timestamp_ms=500)

    closed = windower.add({"x": 2.0}, timestamp_ms=60_500)
    tail = windower.flush()

    assert [(w.start, w.end, w.n_rows) for w in closed] == [
        (-1000, 1000, 1),
        (0, 2000, 1),
    ]
    assert [(w.start, w.end, w.n_rows) for w in tail] == [(59_000, 61_000, 1)]


def test_time_window_without_timestamp_is_an_invalid_input():
    windower = Windower(WindowSpec(by="time", size=1000), TYPES)

    with pytest.raises(InvalidInputError):
        windower.add({"x": 1.0})


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"size": 0}, "window.size"),
        ({"kind": "sliding", "size": 10, "step": 3}, "window.step"),
        ({"kind": "hopping"}, "window.kind"),
        ({"by": "bytes"}, "window.by"),
        ({"size": 10, "step": 5}, "window.step"),
    ],
)
def test_invalid_window_settings_name_the_field(spec, field):
    with pytest.raises(ConfigError) as error:
        WindowSpec(**spec)

    assert error.value.field == field
