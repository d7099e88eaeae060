"""The data-drift worker against the real broker: alerts, DLQ, restore, replay.

Topics have one input partition so that the series of a model is one stream
(state is per partition; see the worker's docstring).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from confluent_kafka.admin import AdminClient

from stream_workers.config.models import DriftlineConfig
from stream_workers.config.settings import KafkaSettings, TopicSettings, WorkerSettings
from stream_workers.kafka.topics import ensure_topics
from stream_workers.messages.models import DriftAlert
from stream_workers.workers import data
from tests.workers.harness import produce, read_all, running, values, wait_for

pytestmark = pytest.mark.kafka

T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z
CONFIG = DriftlineConfig.model_validate(
    {
        "defaults": {
            "data": {
                "reference": {"first_n": 1000},
                "window": {"size": 1000},
                "features": {"x": "numeric", "y": "numeric", "colour": "categorical"},
            }
        }
    }
)


def make_topics(admin: AdminClient) -> TopicSettings:
    settings = TopicSettings(prefix=f"t{uuid.uuid4().hex[:8]}-", input_partitions=1)
    ensure_topics(admin, settings)
    return settings


@pytest.fixture
def topics(admin: AdminClient) -> Iterator[TopicSettings]:
    settings = make_topics(admin)
    yield settings
    admin.delete_topics(_names(admin, settings), operation_timeout=10)


def _names(admin: AdminClient, settings: TopicSettings) -> list[str]:
    return [
        t for t in admin.list_topics(timeout=10).topics if t.startswith(settings.prefix)
    ]


def events(start: int, n: int, *, shift: float = 0.0) -> list[tuple[str, dict]]:
    rng = np.random.default_rng(start)
    xs = (rng.normal(size=n) + shift).tolist()
    ys = rng.normal(size=n).tolist()
    colours = rng.choice(["red", "green", "blue"], size=n)
    return [
        (
            f"r{start + i}",
            {
                "request_id": f"r{start + i}",
                "model_id": "m1",
                "model_version": "v1",
                "event_time_ms": T0 + (start + i) * 1000,
                "features": {"x": xs[i], "y": ys[i], "colour": str(colours[i])},
                "prediction": "yes",
                "probabilities": {"yes": 0.9, "no": 0.1},
            },
        )
        for i in range(n)
    ]


def run_data(kafka: KafkaSettings, topics: TopicSettings, instance: str) -> Any:
    return running(
        data.main,
        config=CONFIG,
        kafka=kafka,
        topics=topics,
        worker=WorkerSettings(instance_id=instance, poll_timeout_s=0.1),
    )


def metric(registry: Any, name: str, **labels: str) -> float:
    return registry.get_sample_value(name, {"model": "m1", **labels}) or 0.0


def consumed(registry: Any, topics: TopicSettings) -> float:
    labels = {"worker": "data", "topic": topics.name("predictions")}
    return registry.get_sample_value("driftline_records_consumed_total", labels) or 0


def alerts_of(kafka: KafkaSettings, topics: TopicSettings) -> list[dict[str, Any]]:
    return values(read_all(kafka, topics.name("alerts"), quiet_s=2.0))


def drift_run(kafka: KafkaSettings, topics: TopicSettings) -> list[dict[str, Any]]:
    """4,000 events, feature x shifted by one standard deviation from 2,000 on."""
    produce(kafka, topics.name("predictions"), events(0, 2000))
    produce(kafka, topics.name("predictions"), events(2000, 2000, shift=1.0))
    with run_data(kafka, topics, f"i{uuid.uuid4().hex[:8]}") as registry:
        wait_for(
            lambda: metric(registry, "driftline_data_windows_evaluated_total") == 3
        )
    return alerts_of(kafka, topics)


def test_stationary_stream_raises_no_data_alert(
    kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    produce(kafka_settings, topics.name("predictions"), events(0, 4000))

    with run_data(kafka_settings, topics, f"i{uuid.uuid4().hex[:8]}") as registry:
        wait_for(
            lambda: metric(registry, "driftline_data_windows_evaluated_total") == 3
        )

    assert alerts_of(kafka_settings, topics) == []


def test_shifted_feature_raises_exactly_one_alert_naming_it(
    kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    alerts = drift_run(kafka_settings, topics)

    assert [(a["kind"], a.get("feature")) for a in alerts] == [("data", "x")]
    alert = DriftAlert.model_validate(alerts[0])
    assert alert.window.first_event_time_ms == T0 + 2000 * 1000
    assert alert.window.count == 1000
    assert alert.effect_size_name == "ks_d" and alert.p_value_corrected < 0.05


def test_malformed_record_is_dead_lettered_and_neighbours_are_processed(
    kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    good = events(0, 2000)
    records = [*good[:1000], ("bad", b"\x00\xffnot-json"), *good[1000:]]
    produce(kafka_settings, topics.name("predictions"), records)

    with run_data(kafka_settings, topics, f"i{uuid.uuid4().hex[:8]}") as registry:
        wait_for(
            lambda: metric(registry, "driftline_data_windows_evaluated_total") == 1
        )
    dead = read_all(kafka_settings, topics.dlq(topics.name("predictions")), expected=1)

    assert [m.value() for m in dead] == [b"\x00\xffnot-json"]
    assert consumed(registry, topics) == 2001


def test_restart_restores_reference_and_open_window_from_the_changelog(
    kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    produce(kafka_settings, topics.name("predictions"), events(0, 1500))
    with run_data(kafka_settings, topics, "a") as first:
        wait_for(lambda: consumed(first, topics) == 1500)
    produce(kafka_settings, topics.name("predictions"), events(1500, 500))
    produce(kafka_settings, topics.name("predictions"), events(2000, 1000, shift=1.0))

    with run_data(kafka_settings, topics, "b") as second:
        wait_for(lambda: consumed(second, topics) == 1500)
        windows = metric(second, "driftline_data_windows_evaluated_total")
    built = "driftline_data_references_built_total"

    assert metric(first, built, source="first_n") == 1
    assert metric(second, built, source="first_n") == 0
    assert windows == 2  # 500 restored + 500 new, then 1,000 shifted
    assert [
        a["window"]["first_event_time_ms"] for a in alerts_of(kafka_settings, topics)
    ] == [T0 + 2000 * 1000]


def test_alert_ids_are_identical_when_the_same_records_are_replayed(
    kafka_settings: KafkaSettings, admin: AdminClient
) -> None:
    runs = []
    for _ in range(2):
        topics = make_topics(admin)
        try:
            runs.append([a["alert_id"] for a in drift_run(kafka_settings, topics)])
        finally:
            admin.delete_topics(_names(admin, topics), operation_timeout=10)

    assert len(runs[0]) == 1
    assert runs[0] == runs[1]
