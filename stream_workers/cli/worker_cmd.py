"""``driftline worker NAME``: run one worker process until SIGTERM."""

from __future__ import annotations

import argparse
import importlib

__all__ = ["HANDLERS", "add_parsers"]


def add_parsers(sub: argparse._SubParsersAction) -> None:
    worker = sub.add_parser("worker", help="run one worker process until SIGTERM")
    worker.add_argument("name", choices=["join", "concept", "data", "retrain"])


def worker(args: argparse.Namespace) -> int:
    module = importlib.import_module(f"stream_workers.workers.{args.name}")
    module.main()
    return 0


HANDLERS = {"worker": worker}
