"""Replay sources and settings (pure logic, no broker)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from stream_workers.errors import ConfigError
from stream_workers.replay.simulator import ReplayPlan
from stream_workers.replay.sources import open_source

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


def test_a_synthetic_stream_has_the_requested_length_and_drift() -> None:
    short = open_source("sea", length=100, drift_at=10_000)
    long = open_source("sea", length=1_000, drift_at=400)

    assert (sum(1 for _ in short.rows), short.drifts) == (100, [])
    assert (sum(1 for _ in long.rows), long.drifts) == (1_000, [400])


def test_shared_files_open_with_their_known_drifts_and_row_counts() -> None:
    sea = open_source(str(DATA / "sea_street_kim_50k.csv.gz"))
    insects = open_source(str(DATA / "insects_gradual_balanced.csv.gz"))
    sine = open_source(str(DATA / "tornado_sine1_w_50_n_0.1_101.arff.gz"))

    first_x, first_y = next(sea.rows)
    with gzip.open(DATA / "sea_street_kim_50k.csv.gz", "rt") as handle:
        header, row = handle.readline(), handle.readline()
    assert sea.drifts == [12_500, 25_000, 37_500] and sea.length == 50_000
    assert list(first_x) == header.strip().split(",")[:-1]
    assert str(int(first_y)) == row.strip().split(",")[-1].strip()
    assert insects.drifts == [14_028] and insects.length == 24_150
    assert len(next(insects.rows)[0]) == 33
    assert sine.drifts == [20_000, 40_000, 60_000, 80_000] and sine.length == 100_000


@pytest.mark.parametrize(
    "settings",
    [{"rate": -5}, {"never_share": 2}, {"early_share": 0.6, "never_share": 0.6}],
)
def test_replay_settings_out_of_range_are_refused(settings: dict) -> None:
    with pytest.raises(ConfigError, match="out of range"):
        ReplayPlan(**settings)
