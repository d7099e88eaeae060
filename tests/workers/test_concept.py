"""The concept worker against the real broker: alerts, DLQ, dedupe, restarts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from stream_workers.config.models import DriftlineConfig
from stream_workers.config.settings import KafkaSettings, TopicSettings, WorkerSettings
from stream_workers.workers import concept
from tests.workers.harness import produce, read_all, running, values, wait_for

pytestmark = pytest.mark.kafka

T0 = 1_767_225_600_000


def outcome(i: int, error: Any, *, model: str = "m1", labeled: bool = True) -> dict:
    body: dict[str, Any] = {
        "request_id": f"r{i}",
        "model_id": model,
        "model_version": "v1",
        "task": "classification",
        "prediction": 1,
        "labeled": labeled,
        "prediction_time_ms": T0 + i * 1000,
    }
    if labeled:
        body.update(label=1, correct=error == 0, error=error)
    return body


def adwin_only() -> DriftlineConfig:
    return DriftlineConfig.model_validate(
        {
            "defaults": {
                "concept": {
                    "detectors": [
                        {"name": "adwin", "params": {"clock": 32, "warmup": 0}}
                    ]
                }
            }
        }
    )


def run_concept(
    kafka: KafkaSettings,
    topics: TopicSettings,
    config: DriftlineConfig,
    instance: str = "a",
) -> Any:
    return running(
        concept.main,
        config=config,
        kafka=kafka,
        topics=topics,
        worker=WorkerSettings(instance_id=instance, poll_timeout_s=0.1),
    )


def consumed(registry: Any, topics: TopicSettings) -> float:
    value = registry.get_sample_value(
        "driftline_records_consumed_total",
        {"worker": "concept", "topic": topics.name("outcomes")},
    )
    return value or 0.0


def test_case_01_adwin_on_two_changes_emits_exactly_two_alerts(
    kafka_settings: KafkaSettings, topic_settings: TopicSettings
) -> None:
    # Case 01: 1000 x 0.8, 1000 x 0.4, 1000 x 0.6 -> ADWIN (clock=32) at 1023, 2047.
    stream = [0.8] * 1000 + [0.4] * 1000 + [0.6] * 1000
    produce(
        kafka_settings,
        topic_settings.name("outcomes"),
        [("m1", outcome(i, e)) for i, e in enumerate(stream)],
        partition=0,
    )

    with run_concept(kafka_settings, topic_settings, adwin_only()) as registry:
        wait_for(lambda: consumed(registry, topic_settings) == 3000)
    alerts = values(read_all(kafka_settings, topic_settings.name("alerts"), expected=2))

    assert [a["details"]["index"] for a in alerts] == [1023, 2047]
    assert {a["kind"] for a in alerts} == {"concept"}
    assert len({a["alert_id"] for a in alerts}) == 2


def test_case_28_poison_and_invalid_errors_go_to_the_dlq_and_detectors_get_the_rest(
    kafka_settings: KafkaSettings, topic_settings: TopicSettings
) -> None:
    records = [
        ("m1", outcome(1, 0.0)),
        ("m1", b"\x00\xffnot-json"),
        ("m1", {**outcome(2, 0.0), "error": None}),
        ("m1", outcome(3, 1.0)),
    ]
    produce(kafka_settings, topic_settings.name("outcomes"), records, partition=0)

    with run_concept(kafka_settings, topic_settings, adwin_only()) as registry:
        wait_for(lambda: consumed(registry, topic_settings) == 4)
        fed = registry.get_sample_value(
            "driftline_concept_outcomes_total", {"model": "m1", "labeled": "true"}
        )
        invalid = registry.get_sample_value(
            "driftline_concept_invalid_input_total", {"model": "m1"}
        )
    dlq = read_all(kafka_settings, f"{topic_settings.name('outcomes')}.dlq", expected=2)

    assert fed == 2.0
    assert invalid == 1.0
    assert sorted(dict(m.headers())["driftline.error.class"] for m in dlq) == [
        b"DecodeError",
        b"InvalidInputError",
    ]


def test_case_29_redelivered_outcomes_are_fed_once(
    kafka_settings: KafkaSettings, topic_settings: TopicSettings
) -> None:
    # Case 29: p0..p9 correct flags [1,1,0,1,1,1,0,1,1,1]; p5 and p6 delivered twice.
    flags = [1, 1, 0, 1, 1, 1, 0, 1, 1, 1]
    order = list(range(7)) + [5, 6] + list(range(7, 10))
    config = DriftlineConfig.model_validate(
        {
            "defaults": {
                "concept": {
                    "detectors": [{"name": "accuracy", "params": {"window_size": 10}}]
                }
            }
        }
    )
    produce(
        kafka_settings,
        topic_settings.name("outcomes"),
        [("m1", outcome(i, 0.0 if flags[i] else 1.0)) for i in order],
        partition=0,
    )

    with run_concept(kafka_settings, topic_settings, config) as registry:
        wait_for(lambda: consumed(registry, topic_settings) == 12)
        redelivered = registry.get_sample_value(
            "driftline_concept_redelivered_total", {"model": "m1"}
        )
        accuracy = registry.get_sample_value(
            "driftline_model_accuracy_ratio",
            {"model": "m1", "version": "v1", "kind": "realised"},
        )

    assert redelivered == 2.0
    assert accuracy == pytest.approx(0.80)


def test_case_30_detector_state_is_restored_after_a_restart(
    kafka_settings: KafkaSettings, topic_settings: TopicSettings
) -> None:
    # Case 30: {n: 100, correct: 90} before the restart, one more correct after.
    config = DriftlineConfig.model_validate(
        {
            "defaults": {
                "concept": {
                    "detectors": [{"name": "accuracy", "params": {"window_size": 101}}]
                }
            }
        }
    )
    first = [outcome(i, 1.0 if i % 10 == 0 else 0.0) for i in range(100)]
    produce(
        kafka_settings,
        topic_settings.name("outcomes"),
        [("m1", o) for o in first],
        partition=0,
    )
    with run_concept(kafka_settings, topic_settings, config) as registry:
        wait_for(lambda: consumed(registry, topic_settings) == 100)

    produce(
        kafka_settings,
        topic_settings.name("outcomes"),
        [("m1", outcome(100, 0.0))],
        partition=0,
    )
    with run_concept(kafka_settings, topic_settings, config, instance="b") as registry:
        wait_for(lambda: consumed(registry, topic_settings) == 1)
        accuracy = registry.get_sample_value(
            "driftline_model_accuracy_ratio",
            {"model": "m1", "version": "v1", "kind": "realised"},
        )

    assert accuracy == pytest.approx(91 / 101, abs=1e-4)


def test_unlabeled_outcomes_count_towards_coverage_but_are_not_fed(
    kafka_settings: KafkaSettings, topic_settings: TopicSettings
) -> None:
    records = [("m1", outcome(i, 0.0)) for i in range(3)] + [
        ("m1", outcome(9, None, labeled=False))
    ]
    produce(kafka_settings, topic_settings.name("outcomes"), records, partition=0)

    with run_concept(kafka_settings, topic_settings, adwin_only()) as registry:
        wait_for(lambda: consumed(registry, topic_settings) == 4)
        coverage = registry.get_sample_value(
            "driftline_concept_label_coverage_ratio", {"model": "m1", "version": "v1"}
        )
        fed = registry.get_sample_value(
            "driftline_concept_outcomes_total", {"model": "m1", "labeled": "true"}
        )

    assert coverage == pytest.approx(0.75)
    assert fed == 3.0


@pytest.mark.slow
def test_sigkill_and_restart_neither_loses_nor_repeats_an_alert(
    kafka_settings: KafkaSettings, topic_settings: TopicSettings, tmp_path: Path
) -> None:
    # Ten abrupt changes in the error rate, each detected by ADWIN, while the
    # worker process is killed with SIGKILL twice and restarted.
    stream: list[float] = []
    for block in range(10):
        stream += [0.1 if block % 2 == 0 else 0.6] * 600
    config = tmp_path / "driftline.yaml"
    config.write_text(
        "defaults:\n"
        "  concept:\n"
        "    detectors:\n"
        "      - {name: adwin, params: {clock: 32}}\n"
    )
    env = {
        **os.environ,
        "DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS": kafka_settings.bootstrap_servers,
        "DRIFTLINE_TOPIC_PREFIX": topic_settings.prefix,
        "DRIFTLINE_CONFIG_FILE": str(config),
        "DRIFTLINE_INSTANCE_ID": "killed",
        "DRIFTLINE_BATCH_SIZE": "50",
        "DRIFTLINE_POLL_TIMEOUT_S": "0.1",
    }
    command = [sys.executable, "-m", "stream_workers.cli", "worker", "concept"]
    outcomes = topic_settings.name("outcomes")

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)

    worker = start()
    for chunk in range(3):
        part = stream[chunk * 2000 : (chunk + 1) * 2000]
        produce(
            kafka_settings,
            outcomes,
            [("m1", outcome(chunk * 2000 + i, e)) for i, e in enumerate(part)],
            partition=0,
        )
        time.sleep(2.5)
        if chunk < 2:
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
            worker = start()
    # The reference: the same stream through ADWIN in one uninterrupted pass.
    from stream_workers.detectors import make_detector

    reference = make_detector("adwin", {"clock": 32})
    expected = []
    for i, e in enumerate(stream):
        if reference.update(e).drift_detected:
            expected.append(i)
    alerts = read_all(
        kafka_settings,
        topic_settings.name("alerts"),
        expected=len(expected),
        timeout_s=90,
    )
    worker.send_signal(signal.SIGTERM)
    worker.wait(30)

    ids = [a["alert_id"] for a in values(alerts)]
    assert len(ids) == len(set(ids))
    assert sorted(a["details"]["index"] for a in values(alerts)) == expected
