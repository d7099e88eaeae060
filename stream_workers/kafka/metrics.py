"""Metrics of the transactional loop, shared by every worker."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import orjson
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["LoopMetrics", "lag_reporter"]


@dataclass(frozen=True)
class LoopMetrics:
    """Counters and histograms of one worker process's loop."""

    consumed: Counter
    dead_letters: Counter
    commit_seconds: Histogram
    aborts: Counter
    restore_seconds: Histogram
    consumer_lag: Gauge
    ready: Gauge

    @classmethod
    def create(cls, registry: CollectorRegistry) -> LoopMetrics:
        return cls(
            consumed=Counter(
                "driftline_records_consumed_total",
                "Records consumed and committed, by worker and topic.",
                ["worker", "topic"],
                registry=registry,
            ),
            dead_letters=Counter(
                "driftline_dlq_records_total",
                "Records sent to a dead-letter topic, by worker, topic and error.",
                ["worker", "topic", "error"],
                registry=registry,
            ),
            commit_seconds=Histogram(
                "driftline_transaction_duration_seconds",
                "Time from a batch's first record to its committed transaction.",
                ["worker"],
                buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
                registry=registry,
            ),
            aborts=Counter(
                "driftline_transaction_aborts_total",
                "Transactions aborted and rewound.",
                ["worker"],
                registry=registry,
            ),
            restore_seconds=Histogram(
                "driftline_state_restore_duration_seconds",
                "Time to restore the state of newly assigned partitions.",
                ["worker"],
                buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300),
                registry=registry,
            ),
            consumer_lag=Gauge(
                "driftline_consumer_lag_records",
                "Consumer lag per partition, from librdkafka statistics.",
                ["worker", "topic", "partition"],
                registry=registry,
            ),
            ready=Gauge(
                "driftline_worker_ready",
                "1 when the worker has partitions assigned and their state restored.",
                ["worker"],
                registry=registry,
            ),
        )


def lag_reporter(metrics: LoopMetrics, worker: str) -> Callable[[str], None]:
    """A librdkafka ``stats_cb`` that publishes consumer lag per partition.

    Partitions this consumer no longer fetches (revoked in a rebalance) lose their
    series, so a lag alert cannot fire on a value nobody updates any more.
    """
    reported: set[tuple[str, str]] = set()

    def report(stats_json: str) -> None:
        stats = orjson.loads(stats_json)
        current: set[tuple[str, str]] = set()
        for topic, body in stats.get("topics", {}).items():
            for partition, p in body.get("partitions", {}).items():
                if partition == "-1" or p.get("fetch_state") in ("none", "stopped"):
                    continue
                lag = p.get("consumer_lag", -1)
                if lag is None or lag < 0:
                    # Transactional workers commit through the producer, so
                    # librdkafka knows no committed offset: use its position.
                    end, position = p.get("ls_offset", -1), p.get("app_offset", -1)
                    if end < 0 or position < 0:
                        continue
                    lag = max(end - position, 0)
                metrics.consumer_lag.labels(worker, topic, partition).set(lag)
                current.add((topic, partition))
        for topic, partition in reported - current:
            metrics.consumer_lag.remove(worker, topic, partition)
        reported.clear()
        reported.update(current)

    return report
