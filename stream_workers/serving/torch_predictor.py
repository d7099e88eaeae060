"""Adapts a torch classifier to a tier of the :class:`FallbackChain`.

The adapter turns one request's feature mapping into a row tensor (in a fixed
feature order), applies the fitted temperature, optionally runs MC dropout,
and returns a :class:`ModelAnswer` with class names, calibrated probabilities
and uncertainty. Needs the ``torch`` extra.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from torch import nn

from stream_workers.serving.fallback import ModelAnswer
from stream_workers.serving.uncertainty import event_fields, mc_dropout_predict

__all__ = ["TorchClassifier"]


class TorchClassifier:
    """A torch model that answers requests given as ``{feature: number}``.

    Parameters: ``model`` returning logits ``(batch, classes)``;
    ``feature_names``, the input column order; ``class_names``, the output
    order; ``temperature``, from :class:`TemperatureScaler`; ``mc_passes``,
    when set, the number of MC dropout passes (the answer then carries
    uncertainty); ``seed`` for reproducible dropout masks.
    """

    def __init__(
        self,
        model: nn.Module,
        *,
        feature_names: Sequence[str],
        class_names: Sequence[str],
        temperature: float = 1.0,
        mc_passes: int | None = None,
        seed: int | None = None,
    ) -> None:
        if temperature <= 0:
            raise ValueError("temperature must be > 0")
        self.model = model
        self.feature_names = tuple(feature_names)
        self.class_names = tuple(class_names)
        self.temperature = temperature
        self.mc_passes = mc_passes
        self.seed = seed

    def __call__(self, inputs: Mapping[str, float]) -> ModelAnswer:
        """Answer one request; raises ``KeyError`` for a missing feature."""
        row = torch.tensor([[float(inputs[name]) for name in self.feature_names]])

        if self.mc_passes is not None:
            result = mc_dropout_predict(
                self.model,
                row,
                passes=self.mc_passes,
                temperature=self.temperature,
                seed=self.seed,
            )
            fields = event_fields(result, self.class_names)
            return ModelAnswer(
                prediction=fields["prediction"],
                probabilities=fields["probabilities"],
                uncertainty=fields["uncertainty"],
            )

        self.model.eval()
        with torch.no_grad():
            logits = self.model(row)[0] / self.temperature
        probabilities = torch.softmax(logits, dim=-1).tolist()
        best = max(range(len(probabilities)), key=probabilities.__getitem__)
        return ModelAnswer(
            prediction=self.class_names[best],
            probabilities=dict(zip(self.class_names, probabilities, strict=True)),
        )
