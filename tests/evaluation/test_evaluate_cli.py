"""``driftline evaluate --quick`` through the CLI entry point."""

from __future__ import annotations

import json

import pytest

from stream_workers.cli.main import main
from stream_workers.evaluation.streams import DEFAULT_DATA_DIR


def test_evaluate_quick_ends_with_a_json_summary(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The shared data sets sit beside the repository, in CI too.
    assert (DEFAULT_DATA_DIR / "sea_street_kim_50k.csv.gz").exists()

    # Act: protocol (a) only keeps the test short.
    code = main(["evaluate", "--quick", "--protocol", "a"])

    # Assert
    out = capsys.readouterr().out.strip().splitlines()
    summary = json.loads(out[-1])
    assert code == 0
    assert {"streams", "configs", "results", "verdicts", "ranking", "seconds"} <= set(
        summary
    )
    first = summary["results"][0]
    assert {"detected", "missed", "false_alarms", "mean_delay"} <= set(first)
    assert [s["name"] for s in summary["streams"]] == ["sea", "stationary_50k"]
    assert any(line.startswith("| sea | default |") for line in out)
