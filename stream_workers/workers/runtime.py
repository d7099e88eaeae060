"""What every worker process sets up around its loop: clients, metrics, health.

``run_worker`` enters the clients, the HTTP endpoint and the processor's state
together, runs the transactional loop until SIGTERM, and always closes them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry

from stream_workers.config.settings import (
    KafkaSettings,
    TopicSettings,
    WorkerSettings,
    masked,
)
from stream_workers.kafka.clients import make_consumer, make_producer
from stream_workers.kafka.loop import (
    ErrorPolicy,
    Processor,
    StopFlag,
    TransactionalLoop,
)
from stream_workers.kafka.metrics import LoopMetrics, lag_reporter
from stream_workers.metrics.build import BuildMetrics
from stream_workers.metrics.server import Health, HealthServer

__all__ = ["WorkerContext", "run_worker"]

logger = logging.getLogger(__name__)


@dataclass
class WorkerContext:
    """Everything a processor factory may need, built once per process."""

    name: str
    kafka: KafkaSettings
    topics: TopicSettings
    worker: WorkerSettings
    registry: CollectorRegistry
    health: Health
    loop_metrics: LoopMetrics
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def group_id(self) -> str:
        """``driftline-<worker>``, behind the topic prefix so deployments that
        share a cluster under different prefixes do not share a group."""
        return f"{self.topics.prefix}driftline-{self.name}"

    @property
    def transactional_id(self) -> str:
        return f"driftline-{self.name}-{self.worker.instance_id}"


def _set_ready(health: Health, metrics: LoopMetrics, name: str, ready: bool) -> None:
    health.set_ready(ready)
    metrics.ready.labels(name).set(1 if ready else 0)


def run_worker(
    name: str,
    build: Callable[[WorkerContext], Processor],
    input_topics: Callable[[TopicSettings], list[str]],
    *,
    kafka: KafkaSettings | None = None,
    topics: TopicSettings | None = None,
    worker: WorkerSettings | None = None,
    registry: CollectorRegistry | None = None,
    stop: StopFlag | None = None,
    policy: ErrorPolicy = "dead-letter",
    on_started: Callable[[int], None] | None = None,
) -> None:
    """Run one worker until ``stop`` is set (by SIGTERM in a real process)."""
    kafka = KafkaSettings() if kafka is None else kafka
    topics = TopicSettings() if topics is None else topics
    worker = WorkerSettings() if worker is None else worker
    registry = CollectorRegistry() if registry is None else registry
    stop = StopFlag() if stop is None else stop
    health = Health(stale_s=worker.healthz_stale_s)
    metrics = LoopMetrics.create(registry)
    BuildMetrics.create(registry)
    context = WorkerContext(name, kafka, topics, worker, registry, health, metrics)

    logger.info(
        "worker starting",
        extra={
            "worker": name,
            "instance_id": worker.instance_id,
            "kafka": masked(kafka),
            "topics": masked(topics),
            "settings": masked(worker),
        },
    )
    processor = build(context)
    consumer = make_consumer(
        kafka,
        context.group_id,
        overrides={
            "statistics.interval.ms": 5000,
            "stats_cb": lag_reporter(metrics, name),
        },
    )
    producer = make_producer(
        kafka,
        transactional_id=context.transactional_id,
        transaction_timeout_s=worker.transaction_timeout_s,
    )
    loop = TransactionalLoop(
        worker=name,
        consumer=consumer,
        producer=producer,
        processor=processor,
        topics=input_topics(topics),
        metrics=metrics,
        policy=policy,
        batch_size=worker.batch_size,
        poll_timeout_s=worker.poll_timeout_s,
        on_tick=health.tick,
        on_ready=lambda ready: _set_ready(health, metrics, name, ready),
    )
    with (
        HealthServer(
            registry, health, host=worker.http_host, port=worker.http_port
        ) as server,
        stop.on_signals(),
    ):
        logger.info("http endpoint up", extra={"worker": name, "port": server.port})
        if on_started is not None:
            on_started(server.port)
        try:
            loop.run(stop)
        finally:
            close = getattr(processor, "close", None)
            if close is not None:
                close()
    logger.info("worker stopped", extra={"worker": name})
