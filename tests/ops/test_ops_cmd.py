"""``driftline monitor`` runs workers as children and stops them with itself."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from stream_workers.cli.main import main
from stream_workers.config.settings import KafkaSettings, TopicSettings

from .conftest import ROOT, free_port


def test_monitor_rejects_an_unknown_worker(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["monitor", "--workers", "join,nope"])

    assert code == 1
    assert "unknown worker(s) nope" in capsys.readouterr().err


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
            return True
    except OSError:
        return False


@pytest.mark.kafka
def test_monitor_forwards_sigterm_and_exits_cleanly(
    kafka_settings: KafkaSettings, topic_settings: TopicSettings, tmp_path: Path
) -> None:
    port = free_port()
    env = dict(
        os.environ,
        DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS=kafka_settings.bootstrap_servers,
        DRIFTLINE_TOPIC_PREFIX=topic_settings.prefix,
        DRIFTLINE_STATE_DIR=str(tmp_path),
    )
    monitor = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/driftline"),
            "monitor",
            "--workers",
            "join",
            "--base-port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not _healthy(port) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert _healthy(port)

        monitor.send_signal(signal.SIGTERM)
        code = monitor.wait(60)
    finally:
        if monitor.poll() is None:
            monitor.kill()
            monitor.wait()

    assert code == 0
    assert not _healthy(port)
