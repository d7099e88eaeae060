"""MC dropout and deep ensembles on an MLP trained on Elec2."""

from __future__ import annotations

import pytest
import torch
from serving_data import CLASSES, Elec2
from torch import nn

from stream_workers.messages import PredictionEvent
from stream_workers.serving import (
    dropout_enabled,
    ensemble_predict,
    event_fields,
    mc_dropout_predict,
)

pytestmark = pytest.mark.torch

ROWS = 2000


def far_from_training(elec2: Elec2) -> torch.Tensor:
    """Test rows pushed away from the data: Gaussian noise of std 2 on every feature.

    All features but ``day`` lie in [0, 1] with a std of at most 0.3.
    """
    generator = torch.Generator().manual_seed(11)
    rows = torch.from_numpy(elec2.test.x[:ROWS])
    return rows + 2.0 * torch.randn(rows.shape, generator=generator)


def test_mc_dropout_mutual_information_is_higher_far_from_training_data(
    mlp: nn.Module, elec2: Elec2
) -> None:
    inside = torch.from_numpy(elec2.test.x[:ROWS])
    outside = far_from_training(elec2)

    near = mc_dropout_predict(mlp, inside, passes=30, seed=1)
    far = mc_dropout_predict(mlp, outside, passes=30, seed=1)

    assert float(near.mutual_information.mean()) == pytest.approx(0.0125, abs=0.004)
    assert far.mutual_information.mean() > 1.8 * near.mutual_information.mean()
    assert far.variance.mean() > 1.5 * near.variance.mean()


def test_ensemble_of_five_disagrees_more_far_from_training_data(
    ensemble: list[nn.Module], elec2: Elec2
) -> None:
    inside = torch.from_numpy(elec2.test.x[:ROWS])
    outside = far_from_training(elec2)

    near = ensemble_predict(ensemble, inside)
    far = ensemble_predict(ensemble, outside)

    assert near.draws == 5
    assert far.mutual_information.mean() > 3.0 * near.mutual_information.mean()
    assert far.variance.mean() > 3.0 * near.variance.mean()


def test_mc_dropout_is_batch_aware_and_reproducible_under_a_seed(
    mlp: nn.Module, elec2: Elec2
) -> None:
    rows = torch.from_numpy(elec2.test.x[:64])

    first = mc_dropout_predict(mlp, rows, passes=10, seed=3)
    again = mc_dropout_predict(mlp, rows, passes=10, seed=3)

    assert first.probabilities.shape == (64, len(CLASSES))
    assert first.entropy.shape == (64,)
    assert torch.allclose(first.probabilities.sum(dim=1), torch.ones(64))
    assert torch.equal(first.probabilities, again.probabilities)
    assert torch.all(first.mutual_information <= first.entropy + 1e-6)


def test_dropout_enabled_samples_dropout_but_keeps_batch_norm_in_eval() -> None:
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Dropout(0.5))
    model.train()

    with dropout_enabled(model):
        modes = [module.training for module in model]

    assert modes == [False, False, True]
    assert all(module.training for module in model.modules())


def test_mc_dropout_refuses_a_model_without_dropout() -> None:
    model = nn.Linear(3, 2)

    with pytest.raises(ValueError, match="no nn.Dropout layer"):
        mc_dropout_predict(model, torch.zeros(2, 3))


def test_event_fields_fill_a_valid_prediction_event(
    mlp: nn.Module, elec2: Elec2
) -> None:
    result = mc_dropout_predict(mlp, torch.from_numpy(elec2.test.x[:4]), seed=0)

    fields = event_fields(result, CLASSES, index=2)
    event = PredictionEvent(
        request_id="r-1", model_id="elec2", event_time_ms=0, **fields
    )

    assert event.prediction in CLASSES
    assert event.probabilities is not None
    assert sum(event.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
    assert event.uncertainty is not None
    assert set(event.uncertainty) >= {"entropy", "mutual_information", "variance"}
