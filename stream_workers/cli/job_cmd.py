"""``driftline replay``, ``driftline alerts tail`` and ``driftline demo``."""

from __future__ import annotations

import argparse
from pathlib import Path

from stream_workers.cli.main import print_json

__all__ = ["HANDLERS", "add_parsers"]


def add_parsers(sub: argparse._SubParsersAction) -> None:
    replay = sub.add_parser(
        "replay", help="serve a labelled stream as prediction and label events"
    )
    replay.add_argument(
        "source", nargs="?", default="sea", help="sea, agrawal, or a CSV/ARFF file"
    )
    replay.add_argument("--length", type=int, default=20_000)
    replay.add_argument("--drift-at", type=int, default=10_000)
    replay.add_argument("--train-rows", type=int, default=2_000)
    replay.add_argument("--limit", type=int, default=None)
    replay.add_argument("--rate", type=float, default=0.0, help="events/s, 0 = max")
    replay.add_argument("--interval-ms", type=int, default=1_000)
    replay.add_argument("--label-delay-s", type=float, default=30.0)
    replay.add_argument("--early-share", type=float, default=0.05)
    replay.add_argument("--never-share", type=float, default=0.02)
    replay.add_argument("--model-id", default="demo-model")
    replay.add_argument("--model-version", default="v1")
    replay.add_argument("--target", default=None, help="label column of a file")
    replay.add_argument("--seed", type=int, default=7)

    alerts = sub.add_parser("alerts", help="print alerts as they arrive")
    alerts.add_argument("action", choices=["tail"])
    alerts.add_argument("--json", action="store_true", help="one JSON object a line")
    alerts.add_argument("--from-beginning", action="store_true")

    demo = sub.add_parser("demo", help="run the main job end to end on a local broker")
    demo.add_argument("--length", type=int, default=20_000)
    demo.add_argument("--drift-at", type=int, default=10_000)
    demo.add_argument("--workdir", type=Path, default=Path(".driftline/demo"))
    demo.add_argument(
        "--keep-topics",
        action="store_true",
        help="leave the run's topics on the broker",
    )


def replay_command(args: argparse.Namespace) -> int:
    from stream_workers.config.settings import KafkaSettings, TopicSettings
    from stream_workers.replay import ReplayPlan, open_source, replay

    source = open_source(
        args.source, length=args.length, drift_at=args.drift_at, target=args.target
    )
    plan = ReplayPlan(
        model_id=args.model_id,
        model_version=args.model_version,
        train_rows=args.train_rows,
        limit=args.limit,
        rate=args.rate,
        interval_ms=args.interval_ms,
        label_delay_s=args.label_delay_s,
        early_share=args.early_share,
        never_share=args.never_share,
        seed=args.seed,
    )
    stats = replay(source, plan, kafka=KafkaSettings(), topics=TopicSettings())
    print_json(stats.as_dict())
    return 0


def alerts_command(args: argparse.Namespace) -> int:
    import orjson

    from stream_workers.config.settings import KafkaSettings, TopicSettings
    from stream_workers.kafka.records import value_of
    from stream_workers.kafka.tail import follow
    from stream_workers.replay.demo import format_alert

    topic = TopicSettings().name("alerts")
    for message in follow(KafkaSettings(), topic, from_beginning=args.from_beginning):
        value = value_of(message)
        if args.json:
            print(value.decode("utf-8", "replace"), flush=True)
            continue
        try:
            line = format_alert(orjson.loads(value))
        except (orjson.JSONDecodeError, KeyError, TypeError):
            line = (
                f"NOT AN ALERT partition={message.partition()} "
                f"offset={message.offset()} (not a DriftAlert; skipped)"
            )
        print(line, flush=True)
    return 0


def demo_command(args: argparse.Namespace) -> int:
    from stream_workers.replay.demo import DemoOptions, run_demo

    options = DemoOptions(
        length=args.length,
        drift_at=args.drift_at,
        workdir=args.workdir,
        keep_topics=args.keep_topics,
    )
    summary = run_demo(options, lambda line: print(line, flush=True))
    print_json(summary)
    return 0


HANDLERS = {"replay": replay_command, "alerts": alerts_command, "demo": demo_command}
