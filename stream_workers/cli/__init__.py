"""The ``driftline`` command: parses, builds settings, calls the library."""

from __future__ import annotations

from stream_workers.cli.main import main

__all__ = ["main"]
