"""The retrain worker against a real Airflow 3: one DAG run per decision, crashes too.

The fixture installs Airflow into its own virtual environment on first use (see
``scripts/airflow_env.sh``) and starts it on 127.0.0.1; nothing here is skipped
when Airflow is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stream_workers.config.models import DriftlineConfig
from stream_workers.config.settings import KafkaSettings, TopicSettings, WorkerSettings
from stream_workers.messages.models import RetrainRequest
from stream_workers.retrain.airflow import AirflowAction
from stream_workers.workers import retrain
from tests.retrain import airflow_server
from tests.retrain.factories import T0, alert_dict
from tests.workers.harness import produce, read_all, running, values, wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.timeout(1800)]

PASSWORD_ENV = "DRIFTLINE_TEST_AIRFLOW_PASSWORD"


class Crash(Exception):
    """Stands for the process dying between the Airflow call and the commit."""


@pytest.fixture(scope="module")
def airflow(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[airflow_server.Airflow]:
    home = tmp_path_factory.mktemp("airflow-home")
    server, processes = airflow_server.start(home)
    print(
        f"\nairflow: install/reuse {server.install_s:.1f} s, "
        f"migrate+start {server.start_s:.1f} s"
    )
    try:
        yield server
    finally:
        airflow_server.stop(processes)


def config(airflow: airflow_server.Airflow) -> DriftlineConfig:
    return DriftlineConfig.model_validate(
        {
            "models": {
                "churn": {
                    "retrain": {
                        "actions": [
                            {
                                "type": "airflow",
                                "base_url": airflow.base_url,
                                "dag_id": "model_retraining",
                                "username": airflow_server.USER,
                                "password": {"env": PASSWORD_ENV},
                                "retry": {"timeout_s": 20},
                            }
                        ]
                    }
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


def runs_for(airflow: airflow_server.Airflow, decision_id: str) -> list[Any]:
    return [r for r in airflow.dag_runs() if r["dag_run_id"] == decision_id]


def test_alert_starts_exactly_one_dag_run_with_model_and_reason_in_conf(
    airflow: airflow_server.Airflow,
    kafka_settings: KafkaSettings,
    topic_settings: TopicSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, airflow.password)
    alert = alert_dict("churn-a1", model="churn", at_ms=T0)
    produce(kafka_settings, topic_settings.name("alerts"), [("churn", alert)])

    with run_retrain(kafka_settings, topic_settings, tmp_path, config(airflow)):
        [record] = values(
            read_all(
                kafka_settings, topic_settings.name("retrain_requests"), expected=1
            )
        )
    [run] = runs_for(airflow, record["decision_id"])

    assert record["status"] == "triggered"
    assert record["actions"][0]["status"] == "succeeded"
    assert run["conf"]["model_id"] == "churn"
    assert (
        run["conf"]["reason"] == record["reason"] == "critical concept drift from adwin"
    )
    assert run["conf"]["alert_ids"] == ["churn-a1"]
    assert run["run_type"] == "manual"


def test_crash_between_dag_trigger_and_commit_still_gives_one_run_and_one_record(
    airflow: airflow_server.Airflow,
    kafka_settings: KafkaSettings,
    topic_settings: TopicSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, airflow.password)
    alert = alert_dict("churn-crash-1", model="churn", at_ms=T0)
    produce(kafka_settings, topic_settings.name("alerts"), [("churn", alert)])
    real_once = AirflowAction.once
    calls: list[tuple[str, bool]] = []

    def once_then_crash(self: AirflowAction, request: RetrainRequest, t: float) -> Any:
        attempt = real_once(self, request, t)
        calls.append((request.decision_id, attempt.ok))
        raise Crash("killed after the DAG run was created, before the commit")

    with monkeypatch.context() as patch:
        patch.setattr(AirflowAction, "once", once_then_crash)
        with pytest.raises(Crash):
            with run_retrain(kafka_settings, topic_settings, tmp_path, config(airflow)):
                wait_for(lambda: len(calls) == 1, timeout_s=60)
    [(decision_id, created)] = calls
    assert created
    assert len(runs_for(airflow, decision_id)) == 1
    assert read_all(kafka_settings, topic_settings.name("retrain_requests")) == []

    with run_retrain(kafka_settings, topic_settings, tmp_path, config(airflow)):
        records = values(
            read_all(
                kafka_settings, topic_settings.name("retrain_requests"), expected=1
            )
        )

    [record] = records
    [run] = runs_for(airflow, decision_id)
    assert record["decision_id"] == decision_id
    assert record["status"] == "triggered"
    assert record["actions"][0]["external_id"] == decision_id
    assert run["conf"]["model_id"] == "churn"
    assert run["conf"]["reason"] == record["reason"]
