"""Consumer lag from librdkafka statistics (pure logic, no broker)."""

from __future__ import annotations

import orjson
from prometheus_client import CollectorRegistry

from stream_workers.kafka.metrics import LoopMetrics, lag_reporter


def stats(partitions: dict[str, dict[str, object]]) -> str:
    return orjson.dumps({"topics": {"labels": {"partitions": partitions}}}).decode()


def lag(registry: CollectorRegistry, partition: str) -> float | None:
    return registry.get_sample_value(
        "driftline_consumer_lag_records",
        {"worker": "join", "topic": "labels", "partition": partition},
    )


def test_lag_falls_back_to_the_position_and_drops_revoked_partitions() -> None:
    registry = CollectorRegistry()
    report = lag_reporter(LoopMetrics.create(registry), "join")
    active = {"fetch_state": "active", "consumer_lag": -1}

    report(
        stats(
            {
                "0": {**active, "ls_offset": 100, "app_offset": 40},
                "1": {**active, "consumer_lag": 7},
                "-1": {"consumer_lag": 5},
            }
        )
    )
    first = (lag(registry, "0"), lag(registry, "1"), lag(registry, "-1"))
    report(stats({"1": {**active, "consumer_lag": 0}, "0": {"fetch_state": "none"}}))

    assert first == (60.0, 7.0, None)
    assert (lag(registry, "0"), lag(registry, "1")) == (None, 0.0)
