"""The public surface of stream_workers.detectors."""

from __future__ import annotations

import subprocess
import sys

import stream_workers.detectors as detectors


def test_every_public_name_is_importable():
    missing = [name for name in detectors.__all__ if not hasattr(detectors, name)]

    assert missing == []
    assert len(set(detectors.__all__)) == len(detectors.__all__)


def test_importing_the_package_leaves_the_data_drift_subpackage_alone():
    code = (
        "import sys, stream_workers.detectors; "
        "print('stream_workers.detectors.data' in sys.modules)"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "False"
