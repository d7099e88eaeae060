"""Fixtures of the serving tests: the Elec2 data set and small models trained on it."""

from __future__ import annotations

from typing import Any

import pytest
from serving_data import Elec2, load_elec2, make_mlp, train


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "torch: needs the torch extra (CI installs it)")


@pytest.fixture(scope="session")
def elec2() -> Elec2:
    return load_elec2()


@pytest.fixture(scope="session")
def mlp(elec2: Elec2) -> Any:
    """An MLP with dropout 0.2, trained for 8 epochs on the training split."""
    return train(make_mlp(seed=0), elec2.train, seed=0, epochs=8)


@pytest.fixture(scope="session")
def ensemble(elec2: Elec2) -> list[Any]:
    """Five MLPs without dropout from five seeds, 3 epochs each."""
    return [
        train(make_mlp(seed=s, dropout=0.0), elec2.train, seed=s, epochs=3)
        for s in range(1, 6)
    ]


@pytest.fixture(scope="session")
def underconfident_mlp(elec2: Elec2) -> Any:
    """An MLP trained with label smoothing 0.3, hence systematically under-confident.

    Label smoothing is a common training choice and a common cause of the
    miscalibration that temperature scaling is meant to undo.
    """
    model = make_mlp(seed=0, dropout=0.0)
    return train(model, elec2.train, seed=0, epochs=8, label_smoothing=0.3)
