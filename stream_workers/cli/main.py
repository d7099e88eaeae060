"""Entry point of the ``driftline`` command.

Each sub-command parses its arguments, builds settings, calls the library and maps
our errors to one line on stderr and exit code 1.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from collections.abc import Callable, Sequence

from stream_workers.cli.logs import configure_logging
from stream_workers.errors import DriftlineError

__all__ = ["main"]

Handler = Callable[[argparse.Namespace], int]

# Sub-commands live in their own modules, imported only when used, so that
# `driftline kafka status` does not pay for river or scipy.
COMMANDS: dict[str, str] = {
    "kafka": "stream_workers.cli.kafka_cmd",
    "topics": "stream_workers.cli.kafka_cmd",
    "worker": "stream_workers.cli.worker_cmd",
}


def _kafka_parsers(sub: argparse._SubParsersAction) -> None:
    kafka = sub.add_parser("kafka", help="the local development broker")
    kafka.add_argument("action", choices=["start", "stop", "status"])
    topics = sub.add_parser("topics", help="create driftline's topics")
    topics.add_argument("action", choices=["create", "list"])


def _worker_parsers(sub: argparse._SubParsersAction) -> None:
    worker = sub.add_parser("worker", help="run one worker process until SIGTERM")
    worker.add_argument("name", choices=["join", "concept", "data", "retrain"])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="driftline",
        description="Drift monitoring for models in production, on Apache Kafka.",
    )
    parser.add_argument("--log-level", default="INFO")
    sub = parser.add_subparsers(dest="command", required=True)
    _kafka_parsers(sub)
    _worker_parsers(sub)
    for extra in EXTRA_PARSERS:
        extra(sub)
    return parser


EXTRA_PARSERS: list[Callable[[argparse._SubParsersAction], None]] = []


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    args = build_parser().parse_args(argv)
    configure_logging(args.log_level)
    module = importlib.import_module(COMMANDS[args.command])
    handler: Handler = module.HANDLERS[args.command]
    try:
        return handler(args)
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
