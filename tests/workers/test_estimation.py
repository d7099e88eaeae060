"""Label-free estimation in the concept worker, against the real broker."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from confluent_kafka.admin import AdminClient

from stream_workers.config.models import DriftlineConfig
from stream_workers.config.settings import KafkaSettings, TopicSettings, WorkerSettings
from stream_workers.workers import concept
from stream_workers.workers.estimation_output import estimated_alert_id
from tests.workers.harness import produce, read_all, running, values, wait_for

pytestmark = pytest.mark.kafka

T0 = 1_767_225_600_000
MINUTE = 60_000
PARTITIONS = TopicSettings().input_partitions


@pytest.fixture
def estimation_topics(
    topic_settings: TopicSettings,
    make_topic: Callable[..., str],
    admin: AdminClient,
) -> Iterator[TopicSettings]:
    """The driftline topics plus the windows topic; drops the worker's changelog."""
    make_topic(name=f"{topic_settings.prefix}estimates")
    yield topic_settings
    admin.delete_topics([topic_settings.changelog("estimation")], operation_timeout=10)


def config(**estimation: Any) -> DriftlineConfig:
    section = {
        "enabled": True,
        "window_ms": MINUTE,
        "allowed_lateness_ms": 0,
        "min_predictions": 30,
        "windows_topic": "estimates",
        **estimation,
    }
    return DriftlineConfig.model_validate(
        {"models": {"m1": {"concept": {"estimation": section}}}}
    )


def prediction(i: int, time_ms: int, confidence: float) -> tuple[str, dict]:
    rid = f"r{i}"
    body = {
        "request_id": rid,
        "model_id": "m1",
        "model_version": "v1",
        "event_time_ms": time_ms,
        "prediction": "UP",
        "probabilities": {"UP": confidence, "DOWN": 1.0 - confidence},
    }
    return rid, body


def outcome(i: int, time_ms: int, confidence: float, correct: bool) -> dict:
    return {
        "request_id": f"r{i}",
        "model_id": "m1",
        "model_version": "v1",
        "task": "classification",
        "prediction": "UP",
        "label": "UP" if correct else "DOWN",
        "labeled": True,
        "correct": correct,
        "error": 0.0 if correct else 1.0,
        "confidence": confidence,
        "prediction_time_ms": time_ms,
    }


def in_every_partition(
    kafka: KafkaSettings,
    topics: TopicSettings,
    time_ms: int,
    first_id: int,
    count: int = 1,
) -> None:
    """``count`` predictions at confidence 0.9 in each predictions partition.

    A window closes when the slowest partition passes its end, so each one needs
    a later prediction.
    """
    for part in range(PARTITIONS):
        ids = range(first_id + part * count, first_id + (part + 1) * count)
        records = [prediction(i, time_ms + i - first_id, 0.9) for i in ids]
        produce(kafka, topics.name("predictions"), records, partition=part)


def run_concept(
    kafka: KafkaSettings,
    topics: TopicSettings,
    cfg: DriftlineConfig,
    instance: str = "a",
) -> Any:
    return running(
        concept.main,
        config=cfg,
        kafka=kafka,
        topics=topics,
        worker=WorkerSettings(instance_id=instance, poll_timeout_s=0.1),
    )


def windows(registry: Any, stage: str) -> float:
    value = registry.get_sample_value(
        "driftline_concept_estimation_windows_total", {"model": "m1", "stage": stage}
    )
    return value or 0.0


def test_calibrated_confidence_estimates_each_window_before_its_labels(
    kafka_settings: KafkaSettings, estimation_topics: TopicSettings
) -> None:
    # Three windows of 300 predictions whose confidence p is drawn in [0.55, 0.95]
    # and whose correctness is drawn with probability p: calibrated by construction.
    # The estimate is the mean confidence (no calibration: min labels unreachable);
    # realised accuracy is a sum of Bernoulli(p), so it lies within 4 standard
    # deviations sqrt(sum p (1 - p)) / n of the estimate (a 1 in 15,000 miss).
    rng = random.Random(11)
    rows = []
    for i in range(900):
        p = rng.uniform(0.55, 0.95)
        rows.append((i, T0 + i * 200, p, rng.random() < p))
    topics = estimation_topics
    cfg = config(min_labels_for_calibration=10**9)

    with run_concept(kafka_settings, topics, cfg) as registry:
        produce(
            kafka_settings,
            topics.name("predictions"),
            [prediction(i, t, p) for i, t, p, _ in rows],
        )
        in_every_partition(kafka_settings, topics, T0 + 3 * MINUTE, 900)
        wait_for(lambda: windows(registry, "estimated") == 3)
        produce(
            kafka_settings,
            topics.name("outcomes"),
            [("m1", outcome(i, t, p, c)) for i, t, p, c in rows],
        )
        wait_for(lambda: windows(registry, "settled") == 3)
        gap = registry.get_sample_value(
            "driftline_model_accuracy_gap_ratio", {"model": "m1", "version": "v1"}
        )
    records = values(read_all(kafka_settings, f"{topics.prefix}estimates", expected=6))

    settled = sorted(
        (r for r in records if r["stage"] == "settled"),
        key=lambda r: r["window_start_ms"],
    )
    assert [r["window_start_ms"] for r in settled] == [T0, T0 + MINUTE, T0 + 2 * MINUTE]
    for w, record in enumerate(settled):
        block = rows[w * 300 : (w + 1) * 300]
        mean_p = sum(p for _, _, p, _ in block) / 300
        accuracy = sum(c for *_, c in block) / 300
        sigma = math.sqrt(sum(p * (1 - p) for _, _, p, _ in block)) / 300
        assert record["estimated"] == pytest.approx(mean_p, abs=1e-9)
        assert record["realised"] == pytest.approx(accuracy, abs=1e-9)
        assert abs(record["estimated"] - record["realised"]) <= 4 * sigma
    assert gap == pytest.approx(settled[-1]["estimated"] - settled[-1]["realised"])


def test_low_confidence_window_alerts_before_any_label_and_once_across_restarts(
    kafka_settings: KafkaSettings, estimation_topics: TopicSettings
) -> None:
    # Window 0 at confidence 0.9, window 1 at 0.55, window 2 (0.9, ten per
    # partition) closes both; threshold 0.7 -> one alert, for window 1, statistic
    # 0.55. No outcome is ever produced. After a restart, predictions in window 3
    # close window 2 (above the threshold): still one alert.
    topics = estimation_topics
    cfg = config(threshold=0.7)
    first = [prediction(i, T0 + i * 500, 0.9) for i in range(100)]
    first += [prediction(100 + i, T0 + MINUTE + i * 500, 0.55) for i in range(100)]

    with run_concept(kafka_settings, topics, cfg) as registry:
        produce(kafka_settings, topics.name("predictions"), first)
        in_every_partition(kafka_settings, topics, T0 + 2 * MINUTE, 200, count=10)
        wait_for(lambda: windows(registry, "estimated") == 2)
        estimated = registry.get_sample_value(
            "driftline_model_accuracy_ratio",
            {"model": "m1", "version": "v1", "kind": "estimated"},
        )
    in_every_partition(kafka_settings, topics, T0 + 3 * MINUTE, 300)
    with run_concept(kafka_settings, topics, cfg, instance="b") as registry:
        wait_for(lambda: windows(registry, "estimated") == 1)
    alerts = values(read_all(kafka_settings, topics.name("alerts"), quiet_s=2.0))

    assert estimated == pytest.approx(0.55)
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert["alert_id"] == estimated_alert_id("m1", "v1", T0 + MINUTE)
    assert (alert["kind"], alert["detector"]) == ("estimated", "cbpe")
    assert alert["statistic"] == pytest.approx(0.55)
    assert alert["threshold"] == 0.7
    assert alert["window"] == {
        "first_event_time_ms": T0 + MINUTE,
        "last_event_time_ms": T0 + 2 * MINUTE - 1,
        "count": 100,
    }
