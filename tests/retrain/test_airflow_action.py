"""The airflow action against a local server speaking Airflow's REST contract."""

from __future__ import annotations

import base64
from typing import Any

import orjson
import pytest
from prometheus_client import CollectorRegistry

from stream_workers.config.retrain import RetrainConfig
from stream_workers.retrain.actions import ActionRunner, build_actions, request_for
from stream_workers.retrain.metrics import RetrainMetrics
from stream_workers.retrain.policy import Decision
from tests.retrain.conftest import Received, ScriptedServer
from tests.retrain.factories import T0

DECISION = Decision(
    "e" * 32, "m1", "v1", "triggered", "accuracy", "accuracy 0.7 below 0.8", ("a1",), T0
)
RUNS = "/api/v2/dags/model_retraining/dagRuns"


def airflow(url: str, **extra: Any) -> RetrainConfig:
    spec = {"type": "airflow", "base_url": url, "retry": {"backoff_s": 0}, **extra}
    return RetrainConfig(actions=[spec])


def run(config: RetrainConfig) -> Any:
    runner = ActionRunner(RetrainMetrics.create(CollectorRegistry()))
    [result] = runner.run(
        build_actions(config), request_for(DECISION), deadline=float("inf")
    )
    return result


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRIFTLINE_TEST_AIRFLOW_PASSWORD", "pw")


def test_airflow_v2_gets_a_token_and_posts_the_decision_as_run_id_and_conf(
    http_server: ScriptedServer,
) -> None:
    def route(r: Received) -> tuple[int, bytes, float]:
        if r.path == "/auth/token":
            return 201, b'{"access_token": "tok-1"}', 0.0
        return 200, b"{}", 0.0

    http_server.route = route
    config = airflow(
        http_server.url,
        username="driftline",
        password={"env": "DRIFTLINE_TEST_AIRFLOW_PASSWORD"},
    )

    result = run(config)

    token_call, run_call = http_server.received
    body = orjson.loads(run_call.body)
    assert orjson.loads(token_call.body) == {"username": "driftline", "password": "pw"}
    assert run_call.path == RUNS
    assert run_call.headers["Authorization"] == "Bearer tok-1"
    assert body["dag_run_id"] == "e" * 32
    assert body["logical_date"] is None
    assert body["conf"]["model_id"] == "m1"
    assert body["conf"]["reason"] == "accuracy 0.7 below 0.8"
    assert body["conf"]["alert_ids"] == ["a1"]
    assert (result.status, result.external_id) == ("succeeded", "e" * 32)


def test_airflow_409_conflict_means_the_run_exists_and_counts_as_success(
    http_server: ScriptedServer,
) -> None:
    http_server.script = [(409, b'{"detail": "exists"}', 0.0)]

    result = run(airflow(http_server.url))

    assert (result.status, result.attempts) == ("succeeded", 1)


def test_airflow_401_renews_the_token_once_within_the_attempt(
    http_server: ScriptedServer,
) -> None:
    tokens = iter([b'{"access_token": "old"}', b'{"access_token": "new"}'])

    def route(r: Received) -> tuple[int, bytes, float]:
        if r.path == "/auth/token":
            return 200, next(tokens), 0.0
        ok = r.headers["Authorization"] == "Bearer new"
        return (200, b"{}", 0.0) if ok else (401, b"{}", 0.0)

    http_server.route = route
    config = airflow(
        http_server.url,
        username="driftline",
        password={"env": "DRIFTLINE_TEST_AIRFLOW_PASSWORD"},
    )

    result = run(config)

    assert (result.status, result.attempts) == ("succeeded", 1)
    assert [r.path for r in http_server.received] == [
        "/auth/token",
        RUNS,
        "/auth/token",
        RUNS,
    ]


def test_airflow_v1_uses_basic_auth_and_the_v1_path(
    http_server: ScriptedServer,
) -> None:
    config = airflow(
        http_server.url,
        api_version="v1",
        username="driftline",
        password={"env": "DRIFTLINE_TEST_AIRFLOW_PASSWORD"},
    )

    run(config)

    [got] = http_server.received
    expected = base64.b64encode(b"driftline:pw").decode()
    assert got.path == "/api/v1/dags/model_retraining/dagRuns"
    assert got.headers["Authorization"] == f"Basic {expected}"
    assert "logical_date" not in orjson.loads(got.body)


def test_airflow_given_token_is_sent_as_bearer(
    http_server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DRIFTLINE_TEST_AIRFLOW_TOKEN", "given")

    run(airflow(http_server.url, token={"env": "DRIFTLINE_TEST_AIRFLOW_TOKEN"}))

    [got] = http_server.received
    assert got.headers["Authorization"] == "Bearer given"


def test_airflow_503_is_retried_and_404_is_not(http_server: ScriptedServer) -> None:
    http_server.script = [(503, b"", 0.0), (404, b"", 0.0)]

    result = run(airflow(http_server.url))

    assert (result.status, result.attempts) == ("failed", 2)
    assert result.error == "Airflow answered HTTP 404"
