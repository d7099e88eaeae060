"""Streams and helpers shared by the detector tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pytest


def _drift_indices(detector: object, values: Iterable[object]) -> list[int]:
    found = []
    for i, x in enumerate(values):
        detector.update(x)  # type: ignore[attr-defined]
        if detector.drift_detected:  # type: ignore[attr-defined]
            found.append(i)
    return found


@pytest.fixture
def drift_indices() -> Callable[[object, Iterable[object]], list[int]]:
    """Feed a stream to a detector (ours or river's); return where it drifted."""
    return _drift_indices


@pytest.fixture
def error_step() -> list[int]:
    """Seeded 0/1 errors: rate 0.1 for 1000 samples, then 0.5 for 1000."""
    rng = np.random.default_rng(12345)
    before = (rng.random(1000) < 0.1).astype(int)
    after = (rng.random(1000) < 0.5).astype(int)
    return [int(x) for x in np.concatenate([before, after])]
