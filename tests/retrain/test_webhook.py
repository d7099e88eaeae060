"""The webhook action against a local HTTP server: signature, retries, no repeats."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Any

import orjson
import pytest
from prometheus_client import CollectorRegistry

from stream_workers.config.retrain import RetrainConfig
from stream_workers.errors import ConfigError
from stream_workers.retrain.actions import ActionRunner, build_actions, request_for
from stream_workers.retrain.metrics import RetrainMetrics
from stream_workers.retrain.policy import Decision
from tests.retrain.conftest import ScriptedServer
from tests.retrain.factories import T0

SECRET = "s3cret-for-tests"
DECISION = Decision(
    "d" * 32, "m1", "v1", "triggered", "severity", "critical drift", ("a1",), T0
)


def webhook(url: str, **retry: Any) -> RetrainConfig:
    return RetrainConfig(
        actions=[
            {
                "type": "webhook",
                "url": f"{url}/hook",
                "secret": {"env": "DRIFTLINE_TEST_WEBHOOK_SECRET"},
                "retry": {"max_attempts": 3, "backoff_s": 0.5, **retry},
            }
        ]
    )


def run(config: RetrainConfig, sleeps: list[float] | None = None) -> tuple[Any, Any]:
    registry = CollectorRegistry()
    runner = ActionRunner(
        RetrainMetrics.create(registry),
        sleep=(sleeps.append if sleeps is not None else lambda s: None),
    )
    [result] = runner.run(
        build_actions(config), request_for(DECISION), deadline=float("inf")
    )
    return result, registry


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRIFTLINE_TEST_WEBHOOK_SECRET", SECRET)


def test_webhook_posts_the_decision_signed_with_hmac_sha256_over_the_body(
    http_server: ScriptedServer,
) -> None:
    result, _ = run(webhook(http_server.url))

    [got] = http_server.received
    expected = hmac.new(SECRET.encode(), got.body, hashlib.sha256).hexdigest()
    payload = orjson.loads(got.body)
    assert result.status == "succeeded"
    assert got.path == "/hook"
    assert got.headers["X-Driftline-Signature"] == f"sha256={expected}"
    assert got.headers["Idempotency-Key"] == "d" * 32
    assert payload["decision_id"] == "d" * 32
    assert payload["alert_ids"] == ["a1"]
    assert payload["status"] == "triggered"


def test_webhook_signature_does_not_verify_under_another_secret(
    http_server: ScriptedServer,
) -> None:
    run(webhook(http_server.url))

    [got] = http_server.received
    forged = hmac.new(b"other", got.body, hashlib.sha256).hexdigest()
    assert got.headers["X-Driftline-Signature"] != f"sha256={forged}"


def test_webhook_retries_on_500_with_exponential_backoff_and_the_same_key(
    http_server: ScriptedServer,
) -> None:
    http_server.script = [(500, b"", 0.0), (500, b"", 0.0), (204, b"", 0.0)]
    sleeps: list[float] = []

    result, registry = run(webhook(http_server.url), sleeps)

    keys = {r.headers["Idempotency-Key"] for r in http_server.received}
    assert (result.status, result.attempts) == ("succeeded", 3)
    assert keys == {"d" * 32}
    assert sleeps == [0.5, 1.0]
    assert (
        registry.get_sample_value(
            "driftline_retrain_action_attempts_total", {"action": "webhook"}
        )
        == 3
    )


def test_webhook_retries_after_a_timeout(http_server: ScriptedServer) -> None:
    http_server.script = [(200, b"", 1.5), (200, b"", 0.0)]

    result, _ = run(webhook(http_server.url, timeout_s=0.3))

    assert (result.status, result.attempts) == ("succeeded", 2)
    assert len(http_server.received) == 2


def test_webhook_retries_on_429(http_server: ScriptedServer) -> None:
    http_server.script = [(429, b"", 0.0), (200, b"", 0.0)]

    result, _ = run(webhook(http_server.url))

    assert (result.status, result.attempts) == ("succeeded", 2)


@pytest.mark.parametrize("status", [400, 401, 404, 422])
def test_webhook_does_not_retry_other_4xx(
    http_server: ScriptedServer, status: int
) -> None:
    http_server.script = [(status, b"", 0.0)]

    result, registry = run(webhook(http_server.url))

    assert (result.status, result.attempts) == ("failed", 1)
    assert result.error == f"webhook answered HTTP {status}"
    assert len(http_server.received) == 1
    assert (
        registry.get_sample_value(
            "driftline_retrain_action_failures_total", {"action": "webhook"}
        )
        == 1
    )


def test_webhook_failing_every_attempt_is_failed_after_the_retry_limit(
    http_server: ScriptedServer,
) -> None:
    http_server.script = [(503, b"", 0.0)]

    result, _ = run(webhook(http_server.url))

    assert (result.status, result.attempts) == ("failed", 3)
    assert len(http_server.received) == 3


def test_webhook_to_a_closed_port_fails_as_a_connection_error() -> None:
    result, _ = run(webhook("http://127.0.0.1:9", max_attempts=2))

    assert (result.status, result.attempts) == ("failed", 2)
    assert result.error is not None and result.error.startswith("connection failed")


def test_webhook_secret_read_from_a_file(
    http_server: ScriptedServer, tmp_path: Path
) -> None:
    path = tmp_path / "secret"
    path.write_text("from-a-file\n")
    config = RetrainConfig(
        actions=[{"type": "webhook", "url": http_server.url, "secret": {"file": path}}]
    )

    run(config)

    [got] = http_server.received
    expected = hmac.new(b"from-a-file", got.body, hashlib.sha256).hexdigest()
    assert got.headers["X-Driftline-Signature"] == f"sha256={expected}"


def test_missing_secret_variable_is_a_config_error_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DRIFTLINE_TEST_WEBHOOK_SECRET")

    with pytest.raises(ConfigError, match="DRIFTLINE_TEST_WEBHOOK_SECRET"):
        build_actions(webhook("http://127.0.0.1:9"))
