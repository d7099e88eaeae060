"""The retrain-trigger worker against the real broker: decisions, dedupe, audit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from stream_workers.cli.main import main as driftline
from stream_workers.config.models import DriftlineConfig
from stream_workers.config.settings import KafkaSettings, TopicSettings, WorkerSettings
from stream_workers.workers import retrain
from tests.retrain.conftest import ScriptedServer, http_server
from tests.retrain.factories import HOUR, MIN, T0, alert_dict
from tests.workers.harness import produce, read_all, running, values, wait_for

pytestmark = pytest.mark.kafka

__all__ = ["http_server"]


def config(url: str) -> DriftlineConfig:
    return DriftlineConfig.model_validate(
        {
            "defaults": {
                "retrain": {
                    "cooldown_s": 3600,
                    "actions": [{"type": "webhook", "url": f"{url}/hook"}],
                }
            }
        }
    )


def run_retrain(
    kafka: KafkaSettings, topics: TopicSettings, tmp_path: Path, cfg: DriftlineConfig
) -> Any:
    return running(
        retrain.main,
        config=cfg,
        kafka=kafka,
        topics=topics,
        worker=WorkerSettings(instance_id="a", state_dir=tmp_path, poll_timeout_s=0.1),
    )


def decisions(registry: Any, outcome: str, model: str = "m1") -> float:
    value = registry.get_sample_value(
        "driftline_retrain_decisions_total", {"model": model, "outcome": outcome}
    )
    return value or 0.0


def test_retrain_worker_records_every_decision_and_delivers_one_webhook(
    kafka_settings: KafkaSettings,
    topic_settings: TopicSettings,
    tmp_path: Path,
    http_server: ScriptedServer,
) -> None:
    alerts = [
        alert_dict("a1", at_ms=T0),
        alert_dict("a1", at_ms=T0),
        alert_dict("a2", at_ms=T0 + MIN, severity="warning"),
        alert_dict("a3", at_ms=T0 + 2 * MIN),
        alert_dict("b1", at_ms=T0, model="m2", severity="info"),
    ]
    produce(
        kafka_settings,
        topic_settings.name("alerts"),
        [(a["model_id"], a) for a in alerts],
    )

    with run_retrain(
        kafka_settings, topic_settings, tmp_path, config(http_server.url)
    ) as registry:
        wait_for(lambda: decisions(registry, "suppressed_cooldown") == 1)
    records = read_all(
        kafka_settings, topic_settings.name("retrain_requests"), expected=5
    )
    by_model = {}
    for m, v in zip(records, values(records), strict=True):
        by_model.setdefault(m.key().decode(), []).append(v)

    m1 = by_model["m1"]
    assert [(r["status"], r["rule"]) for r in m1] == [
        ("triggered", "severity"),
        ("suppressed", "dedupe"),
        ("suppressed", "no_rule"),
        ("suppressed", "cooldown"),
    ]
    assert m1[0]["actions"] == [
        {
            "action": "webhook",
            "status": "succeeded",
            "attempts": 1,
            "external_id": m1[0]["decision_id"],
        }
    ]
    assert len({r["decision_id"] for r in m1}) == 4
    assert [(r["status"], r["rule"]) for r in by_model["m2"]] == [
        ("suppressed", "no_rule")
    ]
    assert [r.headers["Idempotency-Key"] for r in http_server.received] == [
        m1[0]["decision_id"]
    ]


def test_retrain_worker_keeps_cooldown_across_a_restart(
    kafka_settings: KafkaSettings,
    topic_settings: TopicSettings,
    tmp_path: Path,
    http_server: ScriptedServer,
) -> None:
    topic = topic_settings.name("alerts")
    cfg = config(http_server.url)
    produce(kafka_settings, topic, [("m1", alert_dict("a1", at_ms=T0))])
    with run_retrain(kafka_settings, topic_settings, tmp_path, cfg) as registry:
        wait_for(lambda: decisions(registry, "triggered") == 1)

    produce(kafka_settings, topic, [("m1", alert_dict("a2", at_ms=T0 + HOUR // 2))])
    with run_retrain(kafka_settings, topic_settings, tmp_path, cfg) as registry:
        wait_for(lambda: decisions(registry, "suppressed_cooldown") == 1)
    records = values(
        read_all(kafka_settings, topic_settings.name("retrain_requests"), expected=2)
    )

    assert [r["status"] for r in records] == ["triggered", "suppressed"]
    assert len(http_server.received) == 1


def test_retrain_worker_records_a_failed_action_and_goes_on(
    kafka_settings: KafkaSettings,
    topic_settings: TopicSettings,
    tmp_path: Path,
    http_server: ScriptedServer,
) -> None:
    http_server.script = [(400, b"", 0.0)]
    produce(
        kafka_settings,
        topic_settings.name("alerts"),
        [("m1", alert_dict("a1", at_ms=T0)), ("m1", alert_dict("a2", at_ms=T0 + 1))],
    )

    with run_retrain(
        kafka_settings, topic_settings, tmp_path, config(http_server.url)
    ) as registry:
        wait_for(lambda: decisions(registry, "failed") == 2)
    records = values(
        read_all(kafka_settings, topic_settings.name("retrain_requests"), expected=2)
    )

    assert [r["status"] for r in records] == ["failed", "failed"]
    assert records[0]["actions"][0]["error"] == "webhook answered HTTP 400"
    assert len(http_server.received) == 2


def test_manual_retrain_command_runs_the_actions_and_records_a_manual_decision(
    kafka_settings: KafkaSettings,
    topic_settings: TopicSettings,
    tmp_path: Path,
    http_server: ScriptedServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "models.yaml"
    path.write_text(
        "defaults:\n  retrain:\n    actions:\n"
        f"      - {{type: webhook, url: '{http_server.url}/hook'}}\n"
    )
    monkeypatch.setenv("DRIFTLINE_TOPIC_PREFIX", topic_settings.prefix)
    argv = ["retrain", "--model", "m1", "--reason", "new labels", "--config", str(path)]

    code = driftline(argv)
    [record] = values(
        read_all(kafka_settings, topic_settings.name("retrain_requests"), expected=1)
    )

    [delivery] = http_server.received
    assert code == 0
    assert record["requested_by"] == "manual"
    assert (record["status"], record["rule"]) == ("triggered", "manual")
    assert record["reason"] == "new labels"
    assert delivery.headers["Idempotency-Key"] == record["decision_id"]
    assert orjson.loads(delivery.body)["requested_by"] == "manual"
    assert orjson.loads(capsys.readouterr().out)["decision_id"] == record["decision_id"]
