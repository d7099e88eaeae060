"""Elec2 loading and small-MLP training shared by the serving tests.

Torch is imported inside the functions, so that the logger tests still collect
where the ``torch`` extra is not installed.
"""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ELEC2 = Path("/work/shared/data/elec2_electricity.csv.gz")
FEATURES = (
    "day",
    "period",
    "nswprice",
    "nswdemand",
    "vicprice",
    "vicdemand",
    "transfer",
)
CLASSES = ("DOWN", "UP")


@dataclass(frozen=True)
class Split:
    """Features and class indices of one part of the data set."""

    x: np.ndarray
    y: np.ndarray


@dataclass(frozen=True)
class Elec2:
    train: Split
    validation: Split
    test: Split


def load_elec2(path: Path = ELEC2) -> Elec2:
    """Elec2 without its ``date`` column, shuffled with a fixed seed, split 60/20/20."""
    with gzip.open(path, "rt", newline="") as handle:
        rows = list(csv.DictReader(handle))
    x = np.array([[float(r[name]) for name in FEATURES] for r in rows], np.float32)
    y = np.array([CLASSES.index(r["class"]) for r in rows], np.int64)

    order = np.random.default_rng(7).permutation(len(y))
    a, b = int(0.6 * len(y)), int(0.8 * len(y))
    parts = order[:a], order[a:b], order[b:]
    return Elec2(*(Split(x[p], y[p]) for p in parts))


def make_mlp(seed: int, dropout: float = 0.2) -> Any:
    """A 7-64-64-2 ReLU network, with dropout after each hidden layer."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(len(FEATURES), 64),
        nn.ReLU(),
        nn.Dropout(dropout),
        nn.Linear(64, 64),
        nn.ReLU(),
        nn.Dropout(dropout),
        nn.Linear(64, len(CLASSES)),
    )


def train(
    model: Any,
    split: Split,
    *,
    seed: int,
    epochs: int,
    rows: int = 30_000,
    label_smoothing: float = 0.0,
) -> Any:
    """Train with Adam on the first ``rows`` rows of ``split``; return the model."""
    import torch

    torch.set_num_threads(2)
    generator = torch.Generator().manual_seed(seed)
    x = torch.from_numpy(split.x[:rows])
    y = torch.from_numpy(split.y[:rows])
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)

    model.train()
    for _ in range(epochs):
        for batch in torch.randperm(len(y), generator=generator).split(256):
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(
                model(x[batch]), y[batch], label_smoothing=label_smoothing
            )
            loss.backward()
            optimizer.step()
    return model.eval()
