"""``driftline report`` on Elec2: one self-contained file, a plot per feature,
rendered by headless Chromium."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from stream_workers.cli.main import main

from .conftest import OpsTools

ELEC2 = Path(__file__).resolve().parents[3] / "shared/data/elec2_electricity.csv.gz"
FEATURES = ["day", "period", "nswprice", "nswdemand", "vicprice", "vicdemand"]


@pytest.fixture(scope="module")
def elec2_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "elec2-drift.html"
    code = main(
        [
            "report",
            "--reference",
            str(ELEC2),
            "--reference-rows",
            ":5000",
            "--current-rows=-5000:",
            "--categorical",
            "day,class",
            "--exclude",
            "date",
            "--title",
            "Elec2: first vs last 5,000 rows",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    return out


def test_report_has_a_plot_and_a_verdict_per_feature(elec2_report: Path) -> None:
    html = elec2_report.read_text()

    cards = re.findall(r'<div class="card" id="feature-([^"]+)">.*?<svg', html)
    assert cards == [*FEATURES, "transfer", "class"]
    assert html.count("<svg") == 8
    assert "Dataset summary: drift detected" in html
    assert html.count("<tr><td>") == 8


def test_report_is_self_contained(elec2_report: Path) -> None:
    html = elec2_report.read_text()

    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<script" not in html


def test_drift_is_the_same_command_as_report(tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text("".join(f'{{"x": {i % 10}, "c": "a"}}\n' for i in range(400)))
    out = tmp_path / "r.html"

    code = main(["drift", "--reference", str(data), "--out", str(out)])

    assert code == 0
    assert "no drift detected" in out.read_text()


def test_chromium_renders_the_report_to_a_screenshot(
    ops_tools: OpsTools, elec2_report: Path, out_dir: Path, tmp_path: Path
) -> None:
    screenshot = out_dir / "elec2-drift-report.png"
    screenshot.unlink(missing_ok=True)

    subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'chromium'}",
            "--window-size=1400,2200",
            f"--screenshot={screenshot}",
            elec2_report.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )

    print(f"report screenshot: {screenshot}")
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 50_000
