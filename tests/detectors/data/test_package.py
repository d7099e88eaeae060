"""The public surface of the data-drift package."""

from __future__ import annotations

import stream_workers.detectors.data as data


def test_every_public_name_is_importable_from_the_package():
    missing = [name for name in data.__all__ if not hasattr(data, name)]

    assert missing == []
