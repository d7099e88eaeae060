"""A real Prometheus scrapes real worker processes with the shipped scrape
configuration (targets moved to 127.0.0.1), and promtool accepts their output."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from stream_workers.config.settings import KafkaSettings, TopicSettings
from stream_workers.kafka.clients import make_producer

from .conftest import ROOT, OpsTools, free_port

pytestmark = pytest.mark.kafka

WORKERS = [
    n
    for n in ("join", "concept", "data", "retrain")
    if importlib.util.find_spec(f"stream_workers.workers.{n}") is not None
]
T0 = 1_767_225_600_000


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""
    except OSError:
        return 0, b""


def _wait(check: Any, timeout_s: float, what: str) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def workers(
    kafka_settings: KafkaSettings, topic_settings: TopicSettings, tmp_path: Path
) -> Iterator[dict[str, int]]:
    """Every worker as a ``driftline worker NAME`` process; name -> HTTP port."""
    ports = {name: free_port() for name in WORKERS}
    procs = []
    for name, port in ports.items():
        env = dict(
            os.environ,
            DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS=kafka_settings.bootstrap_servers,
            DRIFTLINE_TOPIC_PREFIX=topic_settings.prefix,
            DRIFTLINE_HTTP_HOST="127.0.0.1",
            DRIFTLINE_HTTP_PORT=str(port),
            DRIFTLINE_STATE_DIR=str(tmp_path / name),
            DRIFTLINE_INSTANCE_ID=f"ops-{name}",
            DRIFTLINE_CONFIG_FILE=str(ROOT / "deploy/driftline.yaml"),
            DRIFTLINE_POLL_TIMEOUT_S="0.1",
        )
        with (tmp_path / f"{name}.log").open("wb") as log:
            procs.append(
                subprocess.Popen(
                    [str(ROOT / ".venv/bin/driftline"), "worker", name],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
    try:
        for name, port in ports.items():
            _wait(
                lambda p=port: _get(f"http://127.0.0.1:{p}/readyz")[0] == 200,
                90,
                f"{name} ready",
            )
        yield ports
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _produce_events(kafka: KafkaSettings, topics: TopicSettings, n: int) -> None:
    producer = make_producer(kafka)
    for i in range(n):
        rid = f"r{i}"
        prediction = {
            "request_id": rid,
            "model_id": "ops-model",
            "model_version": "v1",
            "event_time_ms": T0 + i * 1000,
            "features": {"x": float(i % 7), "c": "a" if i % 2 else "b"},
            "prediction": i % 2,
            "probabilities": {"0": 0.3, "1": 0.7},
        }
        label = {"request_id": rid, "event_time_ms": T0 + i * 1000 + 5000, "label": 1}
        producer.produce(
            topics.name("predictions"), key=rid, value=json.dumps(prediction)
        )
        producer.produce(topics.name("labels"), key=rid, value=json.dumps(label))
    assert producer.flush(30) == 0


def _scrape_config(ports: dict[str, int], path: Path) -> Path:
    """The shipped prometheus.yml with its targets on 127.0.0.1 and a 1 s interval."""
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    config["global"]["scrape_interval"] = "1s"
    config["global"]["evaluation_interval"] = "1s"
    config["rule_files"] = [
        str(ROOT / "deploy/prometheus" / r) for r in config["rule_files"]
    ]
    job = config["scrape_configs"][0]
    shipped = {sc["labels"]["service"] for sc in job["static_configs"]}
    assert set(ports) <= shipped
    job["static_configs"] = [
        {"targets": [f"127.0.0.1:{port}"], "labels": {"service": name}}
        for name, port in ports.items()
    ]
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture
def prometheus(
    ops_tools: OpsTools, workers: dict[str, int], tmp_path: Path
) -> Iterator[str]:
    port = free_port()
    config = _scrape_config(workers, tmp_path / "prometheus.yml")
    with (tmp_path / "prometheus.log").open("wb") as log:
        proc = subprocess.Popen(
            [
                "prometheus",
                f"--config.file={config}",
                f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--web.enable-lifecycle",
            ],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: _get(f"{base}/-/ready")[0] == 200, 60, "prometheus ready")
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _query(base: str, expr: str) -> list[dict[str, Any]]:
    status, body = _get(
        f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    )
    assert status == 200, expr
    return json.loads(body)["data"]["result"]


def test_prometheus_scrapes_every_worker_and_sees_sensible_values(
    kafka_settings: KafkaSettings,
    topic_settings: TopicSettings,
    workers: dict[str, int],
    prometheus: str,
) -> None:
    _produce_events(kafka_settings, topic_settings, 40)

    _wait(
        lambda: _query(
            prometheus, 'sum(driftline_records_consumed_total{worker="join"}) >= 80'
        ),
        90,
        "join records consumed",
    )
    _wait(lambda: len(_query(prometheus, "up == 1")) == len(workers), 30, "all up")

    up = {
        r["metric"]["service"] for r in _query(prometheus, 'up{job="driftline"} == 1')
    }
    build = _query(prometheus, "driftline_build_info")
    outcomes = _query(
        prometheus, 'sum(driftline_join_outcomes_total{model="ops-model"})'
    )
    lag = _wait(
        lambda: _query(prometheus, 'driftline_consumer_lag_records{worker="join"}'),
        45,
        "consumer lag from librdkafka statistics",
    )
    assert up == set(workers)
    assert {r["metric"]["service"] for r in build} == set(workers)
    assert all(r["value"][1] == "1" and r["metric"]["version"] for r in build)
    assert float(outcomes[0]["value"][1]) == 40
    assert all(float(r["value"][1]) >= 0 for r in lag)
    assert {r["metric"]["partition"] for r in lag} <= {"0", "1", "2", "3"}
    rules = json.loads(_get(f"{prometheus}/api/v1/rules")[1])["data"]["groups"]
    assert sum(len(g["rules"]) for g in rules) == 10
    assert all(r["health"] != "err" for g in rules for r in g["rules"])


def test_every_worker_metrics_output_passes_promtool(
    ops_tools: OpsTools, workers: dict[str, int]
) -> None:
    for name, port in workers.items():
        status, body = _get(f"http://127.0.0.1:{port}/metrics")

        result = subprocess.run(
            ["promtool", "check", "metrics"],
            input=body,
            capture_output=True,
            timeout=60,
        )

        assert status == 200, name
        assert result.returncode == 0, (name, result.stdout, result.stderr)
        assert result.stdout == result.stderr == b"", (name, result.stdout)
