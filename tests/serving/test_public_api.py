"""The serving package's public surface, and its import without torch."""

from __future__ import annotations

import subprocess
import sys

import stream_workers.serving as serving

# Make torch unimportable, then import the package and use the logger module.
WITHOUT_TORCH = """
import sys
sys.modules["torch"] = None
import stream_workers.serving as s
assert s.PredictionLogger and s.FallbackChain
try:
    s.mmd_test
except ImportError:
    print("torch names need torch")
"""


def test_every_exported_name_resolves() -> None:
    missing = [name for name in serving.__all__ if not hasattr(serving, name)]

    assert missing == []
    assert sorted(serving.__all__) == serving.__all__


def test_package_imports_without_torch() -> None:
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_TORCH], capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "torch names need torch"
