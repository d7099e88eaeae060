"""``driftline worker NAME``: run one worker process until SIGTERM."""

from __future__ import annotations

import argparse
import importlib

__all__ = ["HANDLERS"]


def worker(args: argparse.Namespace) -> int:
    module = importlib.import_module(f"stream_workers.workers.{args.name}")
    module.main()
    return 0


HANDLERS = {"worker": worker}
