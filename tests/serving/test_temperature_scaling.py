"""Temperature scaling of an under-confident MLP trained on Elec2."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from serving_data import Elec2, Split
from torch import nn

from stream_workers.serving import (
    TemperatureScaled,
    TemperatureScaler,
    expected_calibration_error,
)

pytestmark = pytest.mark.torch


def logits_of(model: nn.Module, split: Split) -> tuple[torch.Tensor, torch.Tensor]:
    with torch.no_grad():
        return model(torch.from_numpy(split.x)), torch.from_numpy(split.y)


def test_temperature_fitted_on_validation_lowers_ece_on_held_out_split(
    underconfident_mlp: nn.Module, elec2: Elec2
) -> None:
    validation = logits_of(underconfident_mlp, elec2.validation)
    held_out = logits_of(underconfident_mlp, elec2.test)

    scaler = TemperatureScaler().fit(*validation)
    report = scaler.evaluate(*held_out)

    assert scaler.temperature == pytest.approx(0.53, abs=0.05)
    assert report.ece_before == pytest.approx(0.10, abs=0.03)
    assert report.ece_after == pytest.approx(0.013, abs=0.01)
    assert report.ece_after < report.ece_before / 3
    assert report.nll_after < report.nll_before


def test_expected_calibration_error_of_known_bins() -> None:
    # Bin (0.6, 0.667]: confidence 0.65 twice, one right -> gap 0.15 * 2/4.
    # Bin (0.867, 0.933]: confidence 0.9 twice, both right -> gap 0.1 * 2/4.
    probabilities = torch.tensor([[0.65, 0.35], [0.65, 0.35], [0.1, 0.9], [0.1, 0.9]])
    labels = torch.tensor([0, 1, 1, 1])

    ece = expected_calibration_error(probabilities, labels, bins=15)

    assert ece == pytest.approx(0.5 * 0.15 + 0.5 * 0.1)


def test_saved_temperature_loads_back_with_its_report(
    underconfident_mlp: nn.Module, elec2: Elec2, tmp_path: Path
) -> None:
    scaler = TemperatureScaler().fit(*logits_of(underconfident_mlp, elec2.validation))
    path = tmp_path / "temperature.json"

    scaler.save(path)
    loaded = TemperatureScaler.load(path)

    assert loaded.temperature == scaler.temperature
    assert loaded.fit_report == scaler.fit_report


def test_temperature_travels_in_the_state_dict(
    underconfident_mlp: nn.Module, elec2: Elec2
) -> None:
    rows = torch.from_numpy(elec2.test.x[:8])
    saved = TemperatureScaled(underconfident_mlp, temperature=0.5).state_dict()
    restored = TemperatureScaled(underconfident_mlp)

    restored.load_state_dict(saved)

    assert float(restored.temperature) == 0.5
    with torch.no_grad():
        assert torch.allclose(restored(rows), underconfident_mlp(rows) / 0.5)


def test_non_positive_temperature_is_refused() -> None:
    with pytest.raises(ValueError, match="temperature"):
        TemperatureScaler(0.0)
