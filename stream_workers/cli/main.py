"""Entry point of the ``driftline`` command.

Each sub-command lives in its own module, which adds its parser in
``add_parsers(sub)`` and maps its command names to handlers in ``HANDLERS``.
Modules keep heavy imports (river, scipy, torch) inside their handlers, so that
``driftline kafka status`` starts fast. Handlers map our errors to one line on
stderr and exit code 1.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from types import ModuleType

from stream_workers.cli.logs import configure_logging
from stream_workers.errors import DriftlineError

__all__ = ["main"]

Handler = Callable[[argparse.Namespace], int]

COMMAND_MODULES = (
    "stream_workers.cli.kafka_cmd",  # kafka, topics
    "stream_workers.cli.worker_cmd",  # worker
    "stream_workers.cli.job_cmd",  # replay, alerts, demo
    "stream_workers.cli.retrain_cmd",  # retrain
    "stream_workers.cli.evaluate_cmd",  # evaluate
    "stream_workers.cli.ops_cmd",  # monitor, drift (report)
)


def _modules() -> list[ModuleType]:
    found = []
    for name in COMMAND_MODULES:
        try:
            found.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return found


def build_parser(modules: list[ModuleType]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="driftline",
        description="Drift monitoring for models in production, on Apache Kafka.",
    )
    parser.add_argument(
        "--log-level",
        default=os.environ.get("DRIFTLINE_LOG_LEVEL", "INFO"),
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for module in modules:
        module.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    modules = _modules()
    args = build_parser(modules).parse_args(argv)
    configure_logging(args.log_level)
    handlers: dict[str, Handler] = {}
    for module in modules:
        handlers.update(module.HANDLERS)
    try:
        return handlers[args.command](args)
    except DriftlineError as exc:
        print(f"driftline: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def print_json(payload: object) -> None:
    """Print one JSON line on stdout (machine-readable summaries)."""
    print(json.dumps(payload, sort_keys=False), flush=True)


def elapsed(since: float) -> float:
    return round(time.monotonic() - since, 2)


if __name__ == "__main__":
    sys.exit(main())
