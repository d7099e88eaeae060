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

from confluent_kafka import KafkaError, KafkaException
from pydantic import ValidationError

from stream_workers.cli.logs import configure_logging
from stream_workers.errors import DriftlineError

__all__ = ["main"]

Handler = Callable[[argparse.Namespace], int]

LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR"]

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
    level = os.environ.get("DRIFTLINE_LOG_LEVEL", "INFO").upper()
    parser.add_argument(
        "--log-level",
        default=level if level in LEVELS else "INFO",
        choices=LEVELS,
        help="also DRIFTLINE_LOG_LEVEL",
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
    except ValidationError as exc:
        print(f"driftline: {_settings_error(exc)}", file=sys.stderr)
        return 1
    except KafkaException as exc:
        error = exc.args[0] if exc.args else exc
        print(f"driftline: {_kafka_error(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _settings_error(exc: ValidationError) -> str:
    """Name the environment variable behind a settings error, not pydantic's model."""
    prefixes = {
        "KafkaSettings": "DRIFTLINE_KAFKA_",
        "TopicSettings": "DRIFTLINE_TOPIC_",
        "WorkerSettings": "DRIFTLINE_",
        "JoinSettings": "DRIFTLINE_JOIN_",
        "LocalBrokerSettings": "DRIFTLINE_LOCAL_KAFKA_",
    }
    prefix = prefixes.get(exc.title)
    parts = []
    for error in exc.errors()[:3]:
        field = ".".join(str(p) for p in error["loc"])
        name = f"{prefix}{field.upper()}" if prefix else field
        parts.append(f"{name}: {error['msg']}")
    return "invalid setting " + "; ".join(parts)


def _kafka_error(error: object) -> str:
    """One line for a Kafka error that ended the command, with what to check."""
    if isinstance(error, KafkaError):
        if error.code() == KafkaError._FENCED:
            return (
                "this worker was fenced: another process started with the same "
                "DRIFTLINE_INSTANCE_ID; give each replica its own"
            )
        if error.code() in (KafkaError._TIMED_OUT, KafkaError._TRANSPORT):
            return (
                f"Kafka did not answer ({error.str()}); check "
                "DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS and the TLS/SASL settings"
            )
        return f"Kafka error {error.name()}: {error.str()}"
    return f"Kafka error: {error}"


def print_json(payload: object) -> None:
    """Print one JSON line on stdout (machine-readable summaries)."""
    print(json.dumps(payload, sort_keys=False), flush=True)


def elapsed(since: float) -> float:
    return round(time.monotonic() - since, 2)


if __name__ == "__main__":
    sys.exit(main())
