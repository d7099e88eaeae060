"""The fallback chain around the Elec2 MLP, its temperature and a lighter model."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from prometheus_client import CollectorRegistry
from serving_data import CLASSES, FEATURES, Elec2, make_mlp, train
from torch import nn

from stream_workers.serving import (
    FallbackChain,
    FallbackMetrics,
    ModelAnswer,
    TemperatureScaler,
    TorchClassifier,
)

pytestmark = pytest.mark.torch

THRESHOLD = 0.8


def rules(inputs: dict[str, float]) -> ModelAnswer | None:
    """Demand above 0.9 has nearly always meant a rising price."""
    return ModelAnswer("UP") if inputs.get("nswdemand", 0.0) > 0.9 else None


@pytest.fixture(scope="module")
def models(mlp: nn.Module, elec2: Elec2) -> tuple[TorchClassifier, TorchClassifier]:
    """The calibrated MLP and a lighter model trained for a single epoch."""
    with torch.no_grad():
        logits = mlp(torch.from_numpy(elec2.validation.x))
    scaler = TemperatureScaler().fit(logits, torch.from_numpy(elec2.validation.y))
    light = train(make_mlp(seed=9, dropout=0.0), elec2.train, seed=9, epochs=1)

    def classifier(model: nn.Module, temperature: float) -> TorchClassifier:
        return TorchClassifier(
            model,
            feature_names=FEATURES,
            class_names=CLASSES,
            temperature=temperature,
        )

    return classifier(mlp, scaler.temperature), classifier(light, 1.0)


@pytest.fixture(scope="module")
def chain(models: tuple[TorchClassifier, TorchClassifier]) -> FallbackChain:
    return FallbackChain(
        model_id="elec2",
        primary=models[0],
        secondary=models[1],
        rules=rules,
        default=ModelAnswer("DOWN"),
        confidence_threshold=THRESHOLD,
        metrics=FallbackMetrics(CollectorRegistry()),
    )


def first_row(
    models: tuple[TorchClassifier, TorchClassifier], elec2: Elec2, wanted: Any
) -> dict[str, float]:
    """The first test row for which ``wanted(primary, secondary, row)`` holds."""
    primary, secondary = models
    for row in elec2.test.x[:3000]:
        inputs = dict(zip(FEATURES, row.tolist(), strict=True))
        if wanted(primary(inputs).confidence, secondary(inputs).confidence, inputs):
            return inputs
    raise AssertionError("no test row fits the case")


def test_confident_primary_answers(
    chain: FallbackChain, models: Any, elec2: Elec2
) -> None:
    inputs = first_row(models, elec2, lambda p, s, x: p >= THRESHOLD)

    assert chain.predict(inputs).tier == "primary"


def test_unsure_primary_hands_over_to_the_lighter_model(
    chain: FallbackChain, models: Any, elec2: Elec2
) -> None:
    inputs = first_row(models, elec2, lambda p, s, x: p < THRESHOLD <= s)

    served = chain.predict(inputs)

    assert (served.tier, served.reason) == ("secondary", "primary_low_confidence")


def test_both_models_unsure_on_high_demand_go_to_the_rules(
    chain: FallbackChain, models: Any, elec2: Elec2
) -> None:
    inputs = first_row(models, elec2, lambda p, s, x: max(p, s) < THRESHOLD)
    inputs["nswdemand"] = 0.95

    served = chain.predict(inputs)

    assert (served.tier, served.answer.prediction) == ("rules", "UP")


def test_request_missing_a_feature_gets_the_safe_default(
    chain: FallbackChain, elec2: Elec2
) -> None:
    inputs = dict(zip(FEATURES[1:], elec2.test.x[0, 1:].tolist(), strict=True))

    served = chain.predict(inputs)

    assert (served.tier, served.reason) == ("default", "rules_declined")
    assert served.trail == ("primary_error", "secondary_error", "rules_declined")
