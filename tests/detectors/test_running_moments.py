"""Running moments: case 08, the merge of two summaries."""

from __future__ import annotations

import math
import pickle

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from stream_workers.detectors import RunningMoments

values = st.lists(
    st.floats(min_value=-1e3, max_value=1e3, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=60,
)


def _close(got: float, want: float) -> bool:
    return math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12)


def test_merging_two_constant_buckets_adds_the_squared_mean_gap():
    left, right = RunningMoments.of([0.2, 0.2]), RunningMoments.of([0.8, 0.8])
    whole = np.array([0.2, 0.2, 0.8, 0.8])

    merged = left.merge(right)

    assert (left.m2, right.m2) == (0.0, 0.0)
    assert math.isclose(merged.m2, 0.36, abs_tol=1e-12)
    assert math.isclose(merged.m2, float(np.sum((whole - whole.mean()) ** 2)))
    assert merged.n == 4 and math.isclose(merged.mean, 0.5)


def test_the_formula_without_the_square_would_go_negative():
    left, right = RunningMoments.of([0.2, 0.2]), RunningMoments.of([0.8, 0.8])
    gap = left.mean - right.mean
    n = left.n + right.n

    buggy = left.m2 + right.m2 + gap * left.n * right.n / n

    assert math.isclose(buggy, -0.60)
    assert left.merge(right).m2 >= 0


@given(values, st.data())
def test_any_split_merged_equals_numpy_on_the_whole(xs, data):
    cut = data.draw(st.integers(min_value=0, max_value=len(xs)))
    whole = np.array(xs)

    merged = RunningMoments.of(xs[:cut]).merge(RunningMoments.of(xs[cut:]))

    scale = max(1.0, float(np.max(np.abs(whole))) ** 2)
    assert merged.n == len(xs)
    assert _close(merged.mean, float(whole.mean()))
    assert abs(merged.variance - float(whole.var())) <= 1e-12 * scale
    assert merged.variance >= 0


def test_merging_with_an_empty_summary_changes_nothing():
    moments = RunningMoments.of([1.0, 2.0, 4.0])

    assert moments.merge(RunningMoments()) == moments
    assert RunningMoments().merge(moments) == moments
    assert RunningMoments().merge(RunningMoments()) == RunningMoments()


def test_running_moments_pickle_round_trip():
    moments = RunningMoments.of([1.0, 2.0, 4.0])

    assert pickle.loads(pickle.dumps(moments)) == moments
