"""The segment cap keeps the largest segments and folds the rest into other."""

from __future__ import annotations

import pytest

from stream_workers.detectors.data import SegmentCap
from stream_workers.errors import ConfigError


def test_largest_segments_keep_their_label_and_the_rest_is_other():
    cap = SegmentCap.from_counts({"fr": 50, "de": 40, "it": 5, "es": 5}, max_segments=3)

    labels = [cap.label(s) for s in ("fr", "de", "it", "es", "pt")]

    assert labels == ["fr", "de", "other", "other", "other"]
    assert cap.kept == {"fr", "de"}


def test_ties_are_broken_by_name():
    cap = SegmentCap(2).observe(["b", "a", "b", "a"])

    kept = cap.refit()

    assert kept == {"a"}


def test_at_least_two_segments_are_required():
    with pytest.raises(ConfigError) as error:
        SegmentCap(1)

    assert error.value.field == "max_segments"
