"""Fixtures of the operations tests: the tools, free ports, an output folder.

``scripts/ops_tools.sh`` installs what these tests run (Prometheus, promtool,
Chromium, hadolint, kubeconform, kustomize and the schemas); it is idempotent,
so the session fixture simply runs it.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(
    os.environ.get("DRIFTLINE_OPS_CACHE", Path.home() / ".cache/driftline/ops")
)


@dataclass(frozen=True)
class OpsTools:
    """Where the installed tools and schema sources are."""

    bin: Path
    python: Path
    gomod: Path

    def tool(self, name: str) -> str:
        local = self.bin / name
        return str(local) if local.exists() else name


@pytest.fixture(scope="session")
def ops_tools() -> OpsTools:
    subprocess.run(
        ["bash", str(ROOT / "scripts/ops_tools.sh")],
        check=True,
        capture_output=True,
        timeout=1800,
        env=dict(os.environ, DRIFTLINE_OPS_CACHE=str(CACHE)),
    )
    return OpsTools(bin=CACHE / "bin", python=CACHE / "py", gomod=CACHE / "gomod")


@pytest.fixture(scope="session")
def out_dir() -> Path:
    """``out/ops``: artefacts a person may look at (gitignored)."""
    path = ROOT / "out" / "ops"
    path.mkdir(parents=True, exist_ok=True)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_script(path: Path, name: str) -> object:
    """Import a script that is not part of the package, by path."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
