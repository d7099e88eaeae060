"""``driftline kafka start|stop|status`` and ``driftline topics create|list``."""

from __future__ import annotations

import argparse
import time

from stream_workers.cli.main import elapsed, print_json
from stream_workers.config.settings import KafkaSettings, TopicSettings
from stream_workers.kafka.broker import LocalBroker
from stream_workers.kafka.clients import make_admin
from stream_workers.kafka.topics import ensure_topics, planned_topics

__all__ = ["HANDLERS", "add_parsers"]


def add_parsers(sub: argparse._SubParsersAction) -> None:
    kafka = sub.add_parser("kafka", help="the local development broker")
    kafka.add_argument("action", choices=["start", "stop", "status"])
    topics = sub.add_parser("topics", help="create driftline's topics")
    topics.add_argument("action", choices=["create", "list"])


def kafka(args: argparse.Namespace) -> int:
    broker = LocalBroker()
    started = time.monotonic()
    if args.action == "start":
        status = broker.start()
        print_json(
            {
                "broker": "running",
                "bootstrap_servers": status.bootstrap_servers,
                "pid": status.pid,
                "log": str(status.log_file),
                "seconds": elapsed(started),
            }
        )
        return 0
    if args.action == "stop":
        stopped = broker.stop()
        print_json({"broker": "stopped" if stopped else "not running"})
        return 0
    status = broker.status()
    answering = status.answering or (not status.running and broker.answering())
    if status.running:
        state = "running"
    elif answering:
        state = "answering (started elsewhere, not by this checkout)"
    else:
        state = "not running"
    print_json(
        {
            "broker": state,
            "answering": answering,
            "bootstrap_servers": status.bootstrap_servers,
            "pid": status.pid,
            "log": str(status.log_file),
        }
    )
    return 0 if answering else 3


def topics(args: argparse.Namespace) -> int:
    settings = TopicSettings()
    admin = make_admin(KafkaSettings())
    if args.action == "list":
        for spec in planned_topics(settings):
            print_json({"topic": spec.name, "partitions": spec.partitions})
        return 0
    created = ensure_topics(admin, settings)
    print_json({"created": created, "total": len(planned_topics(settings))})
    return 0


HANDLERS = {"kafka": kafka, "topics": topics}
