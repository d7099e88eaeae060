"""``driftline retrain --model M --reason TEXT``: trigger a retrain by hand."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["HANDLERS", "add_parsers"]


def add_parsers(sub: argparse._SubParsersAction) -> None:
    retrain = sub.add_parser(
        "retrain",
        help="trigger a retrain by hand through the model's configured actions",
    )
    retrain.add_argument("--model", required=True, help="the model ID")
    retrain.add_argument("--reason", required=True, help="why, for the audit trail")
    retrain.add_argument("--version", default=None, help="the model version")
    retrain.add_argument(
        "--decision-id",
        default=None,
        help="idempotency key; default: from model, reason and the current minute",
    )
    retrain.add_argument(
        "--config",
        type=Path,
        default=None,
        help="the models YAML file (default: DRIFTLINE_CONFIG_FILE)",
    )


def retrain(args: argparse.Namespace) -> int:
    from stream_workers.cli.main import print_json
    from stream_workers.config.models import load_config
    from stream_workers.config.settings import (
        KafkaSettings,
        TopicSettings,
        WorkerSettings,
    )
    from stream_workers.retrain.manual import trigger_manually

    path = args.config or WorkerSettings().config_file
    request = trigger_manually(
        args.model,
        args.reason,
        config=load_config(path),
        kafka=KafkaSettings(),
        topics=TopicSettings(),
        model_version=args.version,
        decision_id=args.decision_id,
    )
    print_json(request.model_dump(mode="json", exclude_none=True))
    return 0 if request.status == "triggered" else 1


HANDLERS = {"retrain": retrain}
