"""The main job end to end: what `make demo` runs, on the real local broker."""

from __future__ import annotations

from pathlib import Path

import pytest

from stream_workers.replay.demo import DemoOptions, run_demo

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def test_demo_alerts_after_the_drift_and_requests_a_retrain(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    options = DemoOptions(
        length=14_000,
        drift_at=8_000,
        train_rows=2_000,
        workdir=tmp_path,
    )
    lines: list[str] = []

    summary = run_demo(options, lines.append)

    assert summary["predictions"] == 12_000
    assert summary["outcomes"] >= summary["labels"]
    assert summary["alerts"] >= 1
    assert summary["retrain_requests"] >= 1
    assert summary["first_alert_row"] >= 8_000
    assert any(line.startswith("ALERT") for line in lines)
    assert any(line.startswith("RETRAIN TRIGGERED") for line in lines)
