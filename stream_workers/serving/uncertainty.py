"""Predictive uncertainty of torch classifiers: MC dropout and deep ensembles.

Both methods draw several probability vectors per input and summarise them the
same way, so that a serving system can log one shape of result whichever it uses:

- ``entropy``: entropy of the mean probabilities (total uncertainty, nats);
- ``expected_entropy``: mean entropy of the draws (the aleatoric part);
- ``mutual_information``: their difference (the epistemic part: how much the
  draws disagree, which grows away from the training data);
- ``variance``: variance across draws of each class probability, averaged
  over classes.

Models must return logits of shape ``(batch, classes)``. Needs the ``torch``
extra (``pip install driftline[torch]``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

__all__ = [
    "UncertaintyResult",
    "dropout_enabled",
    "ensemble_predict",
    "event_fields",
    "mc_dropout_predict",
    "summarise_draws",
]

_EPS = 1e-12
_DROPOUT = (
    nn.Dropout,
    nn.Dropout1d,
    nn.Dropout2d,
    nn.Dropout3d,
    nn.AlphaDropout,
    nn.FeatureAlphaDropout,
)


@dataclass(frozen=True)
class UncertaintyResult:
    """Summaries of ``draws`` probability vectors per input; tensors of one batch."""

    probabilities: torch.Tensor
    entropy: torch.Tensor
    expected_entropy: torch.Tensor
    mutual_information: torch.Tensor
    variance: torch.Tensor
    draws: int
    method: str

    @property
    def prediction(self) -> torch.Tensor:
        """Index of the most probable class of the mean probabilities."""
        return self.probabilities.argmax(dim=-1)


def _entropy(probabilities: torch.Tensor) -> torch.Tensor:
    return -(probabilities * probabilities.clamp_min(_EPS).log()).sum(dim=-1)


def summarise_draws(draws: torch.Tensor, *, method: str) -> UncertaintyResult:
    """Summarise probabilities of shape ``(draws, batch, classes)``."""
    if draws.dim() != 3:
        raise ValueError("draws must have shape (draws, batch, classes)")

    mean = draws.mean(dim=0)
    entropy = _entropy(mean)
    expected_entropy = _entropy(draws).mean(dim=0)
    variance = draws.var(dim=0, unbiased=False).mean(dim=-1)

    return UncertaintyResult(
        probabilities=mean,
        entropy=entropy,
        expected_entropy=expected_entropy,
        mutual_information=(entropy - expected_entropy).clamp_min(0.0),
        variance=variance,
        draws=draws.shape[0],
        method=method,
    )


@contextmanager
def dropout_enabled(model: nn.Module) -> Iterator[nn.Module]:
    """Put the model in eval mode with only its dropout layers sampling.

    Batch-norm and every other layer keep their inference behaviour; each
    module's previous mode is restored on exit.
    """
    previous = {module: module.training for module in model.modules()}
    model.eval()
    for module in model.modules():
        if isinstance(module, _DROPOUT):
            module.train()
    try:
        yield model
    finally:
        for module, training in previous.items():
            module.train(training)


def mc_dropout_predict(
    model: nn.Module,
    inputs: torch.Tensor,
    *,
    passes: int = 30,
    temperature: float = 1.0,
    seed: int | None = None,
) -> UncertaintyResult:
    """Run ``passes`` stochastic forward passes with dropout on and summarise them.

    The batch is repeated ``passes`` times and sent through the model in one
    call, so the cost is one large forward pass rather than many small ones.
    Memory grows with ``passes`` times the batch size. ``temperature`` divides
    the logits (see :class:`TemperatureScaler`). ``seed`` makes the dropout
    masks reproducible without touching the caller's random state. Raises
    ``ValueError`` when the model has no dropout layer.
    """
    if passes < 2:
        raise ValueError("passes must be >= 2")
    if not any(isinstance(m, _DROPOUT) for m in model.modules()):
        raise ValueError("the model has no nn.Dropout layer; MC dropout needs one")

    batch = inputs.shape[0]
    stacked = inputs.repeat(passes, *([1] * (inputs.dim() - 1)))
    devices = [] if inputs.device.type == "cpu" else [inputs.device]
    with torch.random.fork_rng(devices=devices, enabled=seed is not None):
        if seed is not None:
            torch.manual_seed(seed)
        with torch.no_grad(), dropout_enabled(model):
            logits = model(stacked)

    probabilities = torch.softmax(logits / temperature, dim=-1)
    draws = probabilities.reshape(passes, batch, -1)
    return summarise_draws(draws, method="mc_dropout")


def ensemble_predict(
    models: Sequence[nn.Module],
    inputs: torch.Tensor,
    *,
    temperature: float = 1.0,
) -> UncertaintyResult:
    """Run each member of a deep ensemble in eval mode and summarise the draws.

    Disagreement between members shows as ``mutual_information`` and
    ``variance``; each member's previous mode is restored afterwards.
    """
    if len(models) < 2:
        raise ValueError("an ensemble needs at least 2 models")

    outputs = []
    with torch.no_grad():
        for member in models:
            was_training = member.training
            member.eval()
            outputs.append(torch.softmax(member(inputs) / temperature, dim=-1))
            member.train(was_training)

    return summarise_draws(torch.stack(outputs), method="ensemble")


def event_fields(
    result: UncertaintyResult, class_names: Sequence[str], index: int = 0
) -> dict[str, Any]:
    """The ``prediction``, ``probabilities`` and ``uncertainty`` fields of one row.

    Pass the dict as keyword arguments to :class:`PredictionEvent` together with
    the request's other fields.
    """
    probabilities = result.probabilities[index].tolist()
    if len(probabilities) != len(class_names):
        raise ValueError("class_names must name every output class, in order")

    best = max(range(len(probabilities)), key=probabilities.__getitem__)
    return {
        "prediction": class_names[best],
        "probabilities": {
            name: min(max(p, 0.0), 1.0)
            for name, p in zip(class_names, probabilities, strict=True)
        },
        "uncertainty": {
            "entropy": float(result.entropy[index]),
            "expected_entropy": float(result.expected_entropy[index]),
            "mutual_information": float(result.mutual_information[index]),
            "variance": float(result.variance[index]),
            "draws": float(result.draws),
        },
    }
