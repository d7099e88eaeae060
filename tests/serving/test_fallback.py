"""The fallback chain: which tier answers, why, and what Prometheus records."""

from __future__ import annotations

from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from stream_workers.messages import PredictionEvent
from stream_workers.serving import FallbackChain, FallbackMetrics, ModelAnswer

SAFE = ModelAnswer(prediction="review")


def answers(confidence: float, label: str) -> Any:
    def predict(inputs: Any) -> ModelAnswer:
        return ModelAnswer(label, {label: confidence, "other": 1.0 - confidence})

    return predict


def fails(inputs: Any) -> ModelAnswer:
    raise RuntimeError("model server unreachable")


def build(registry: CollectorRegistry, **tiers: Any) -> FallbackChain:
    return FallbackChain(
        model_id="m",
        default=SAFE,
        confidence_threshold=0.8,
        metrics=FallbackMetrics(registry),
        **tiers,
    )


@pytest.mark.parametrize(
    ("tiers", "tier", "reason"),
    [
        ({"primary": answers(0.9, "a")}, "primary", "confident"),
        (
            {"primary": answers(0.6, "a"), "secondary": answers(0.95, "b")},
            "secondary",
            "primary_low_confidence",
        ),
        (
            {"primary": fails, "secondary": answers(0.95, "b")},
            "secondary",
            "primary_error",
        ),
        (
            {
                "primary": answers(0.6, "a"),
                "secondary": answers(0.7, "b"),
                "rules": lambda inputs: ModelAnswer("c"),
            },
            "rules",
            "secondary_low_confidence",
        ),
        (
            {"primary": fails, "secondary": fails, "rules": lambda inputs: None},
            "default",
            "rules_declined",
        ),
        ({"primary": answers(0.6, "a"), "rules": fails}, "default", "rules_error"),
    ],
)
def test_chain_answers_from_the_first_trusted_tier_and_says_why(
    tiers: dict[str, Any], tier: str, reason: str
) -> None:
    registry = CollectorRegistry()
    chain = build(registry, **tiers)

    served = chain.predict({"x": 1.0})

    assert (served.tier, served.reason) == (tier, reason)
    assert served.trail[-1:] == (() if reason == "confident" else (reason,))
    labels = {"model": "m", "tier": tier}
    counted = registry.get_sample_value(
        "driftline_serving_tier_total", {**labels, "reason": reason}
    )
    assert counted == 1.0
    assert registry.get_sample_value("driftline_serving_latency_seconds_count", labels)


def test_served_answer_becomes_a_prediction_event_with_its_tier() -> None:
    chain = build(CollectorRegistry(), primary=fails, secondary=answers(0.9, "b"))

    served = chain.predict({"x": 1.0})
    event = PredictionEvent(
        request_id="r", model_id="m", event_time_ms=1, **served.event_fields()
    )

    assert event.serving_tier == "secondary"
    assert event.confidence() == pytest.approx(0.9)


def test_confidence_histogram_records_the_served_confidence() -> None:
    registry = CollectorRegistry()
    chain = build(registry, primary=answers(0.97, "a"))

    chain.predict({})

    labels = {"model": "m", "tier": "primary"}
    assert registry.get_sample_value(
        "driftline_serving_confidence_sum", labels
    ) == pytest.approx(0.97)


def test_threshold_outside_the_unit_interval_is_refused() -> None:
    with pytest.raises(ValueError, match="confidence_threshold"):
        FallbackChain(model_id="m", primary=fails, default=SAFE, confidence_threshold=2)
