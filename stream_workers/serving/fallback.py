"""A fallback chain around a served model: primary, lighter model, rules, default.

The chain asks each tier in turn and keeps the first answer it can trust:

1. ``primary``: accepted when its calibrated confidence (largest class
   probability) reaches ``confidence_threshold``, or when it gives no
   probabilities at all (a regression model);
2. ``secondary``: a lighter model, judged by the same threshold;
3. ``rules``: hand-written rules, which may decline by returning None;
4. ``default``: a fixed safe answer, which cannot fail.

A tier that raises is passed over like one that is not confident. The answer
names the tier that gave it and the reason the tier before it was passed over;
both go into the :class:`PredictionEvent` (``serving_tier``) and into Prometheus.
The chain does not calibrate: give it predictors whose probabilities are
already temperature-scaled (see :class:`TemperatureScaled`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from prometheus_client import CollectorRegistry, Counter, Histogram

__all__ = [
    "FallbackChain",
    "FallbackMetrics",
    "ModelAnswer",
    "Predictor",
    "Rules",
    "ServedAnswer",
    "Tier",
    "TierReason",
]

logger = logging.getLogger(__name__)

Tier = Literal["primary", "secondary", "rules", "default"]
TierReason = Literal[
    "confident",
    "no_confidence",
    "primary_low_confidence",
    "primary_error",
    "secondary_low_confidence",
    "secondary_error",
    "rules_declined",
    "rules_error",
]
Prediction = str | int | float | bool

_CONFIDENCE_BUCKETS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.99, 1.0)


@dataclass(frozen=True)
class ModelAnswer:
    """What one tier says: a prediction, optional probabilities and uncertainty."""

    prediction: Prediction
    probabilities: Mapping[str, float] | None = None
    uncertainty: Mapping[str, float] | None = None

    @property
    def confidence(self) -> float | None:
        """The largest class probability, or None without probabilities."""
        return max(self.probabilities.values()) if self.probabilities else None


class Predictor(Protocol):
    """A model tier: takes the request's inputs and returns an answer."""

    def __call__(self, inputs: Any) -> ModelAnswer: ...


class Rules(Protocol):
    """The rules tier: an answer, or None when no rule applies."""

    def __call__(self, inputs: Any) -> ModelAnswer | None: ...


@dataclass(frozen=True)
class ServedAnswer:
    """The answer the chain served, the tier that gave it and why it got there.

    ``trail`` lists the reason of every tier passed over, in order.
    """

    answer: ModelAnswer
    tier: Tier
    reason: TierReason
    latency_s: float
    trail: tuple[TierReason, ...] = field(default=())

    def event_fields(self) -> dict[str, Any]:
        """``prediction``, ``probabilities``, ``uncertainty`` and ``serving_tier``.

        Pass them to :class:`PredictionEvent` with the request's other fields.
        """
        return {
            "prediction": self.answer.prediction,
            "probabilities": (
                dict(self.answer.probabilities) if self.answer.probabilities else None
            ),
            "uncertainty": (
                dict(self.answer.uncertainty) if self.answer.uncertainty else None
            ),
            "serving_tier": self.tier,
        }


class FallbackMetrics:
    """Latency, confidence and tier counts of fallback chains, in ``registry``.

    Share one instance between the chains of a process: series are labelled by
    ``model`` (the chain's ``model_id``) and ``tier``.
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        self.latency = Histogram(
            "driftline_serving_latency_seconds",
            "Time to serve one request through the fallback chain.",
            ["model", "tier"],
            registry=registry,
        )
        self.confidence = Histogram(
            "driftline_serving_confidence",
            "Calibrated confidence of the served answer.",
            ["model", "tier"],
            buckets=_CONFIDENCE_BUCKETS,
            registry=registry,
        )
        self.tiers = Counter(
            "driftline_serving_tier",
            "Requests answered, by tier and the reason the chain got there.",
            ["model", "tier", "reason"],
            registry=registry,
        )


class FallbackChain:
    """Serves each request from the first tier whose answer can be trusted.

    Parameters: ``model_id`` (the metrics label); ``primary``; ``default``, the
    safe answer; ``secondary`` and ``rules``, optional; ``confidence_threshold``
    in [0, 1], applied to both models; ``metrics``, a :class:`FallbackMetrics`
    to record into.
    """

    def __init__(
        self,
        *,
        model_id: str,
        primary: Predictor,
        default: ModelAnswer,
        secondary: Predictor | None = None,
        rules: Rules | None = None,
        confidence_threshold: float = 0.7,
        metrics: FallbackMetrics | None = None,
    ) -> None:
        if not 0.0 <= confidence_threshold <= 1.0:
            raise ValueError("confidence_threshold must be within [0, 1]")
        self.model_id = model_id
        self.confidence_threshold = confidence_threshold
        self._models: list[tuple[Tier, Predictor]] = [("primary", primary)]
        if secondary is not None:
            self._models.append(("secondary", secondary))
        self._rules = rules
        self._default = default
        self._metrics = metrics or FallbackMetrics(CollectorRegistry())

    def predict(self, inputs: Any) -> ServedAnswer:
        """Serve one request; never raises for a failing tier."""
        started = time.perf_counter()
        trail: list[TierReason] = []

        served = self._from_models(inputs, trail) or self._from_rules(inputs, trail)
        tier, answer = served if served is not None else ("default", self._default)
        reason = trail[-1] if trail else self._own_reason(answer)
        result = ServedAnswer(
            answer=answer,
            tier=tier,
            reason=reason,
            latency_s=time.perf_counter() - started,
            trail=tuple(trail),
        )
        self._record(result)
        return result

    def _from_models(
        self, inputs: Any, trail: list[TierReason]
    ) -> tuple[Tier, ModelAnswer] | None:
        for tier, model in self._models:
            try:
                answer = model(inputs)
            except Exception as exc:
                self._note_error(tier, exc)
                trail.append(
                    "primary_error" if tier == "primary" else "secondary_error"
                )
                continue
            confidence = answer.confidence
            if confidence is None or confidence >= self.confidence_threshold:
                return tier, answer
            trail.append(
                "primary_low_confidence"
                if tier == "primary"
                else "secondary_low_confidence"
            )
        return None

    def _from_rules(
        self, inputs: Any, trail: list[TierReason]
    ) -> tuple[Tier, ModelAnswer] | None:
        if self._rules is None:
            return None
        try:
            answer = self._rules(inputs)
        except Exception as exc:
            self._note_error("rules", exc)
            trail.append("rules_error")
            return None
        if answer is None:
            trail.append("rules_declined")
            return None
        return "rules", answer

    @staticmethod
    def _own_reason(answer: ModelAnswer) -> TierReason:
        return "confident" if answer.confidence is not None else "no_confidence"

    def _note_error(self, tier: Tier, exc: Exception) -> None:
        # The chain handles the error by moving on; the log says it degraded.
        logger.warning(
            "serving tier failed, falling back",
            extra={
                "model_id": self.model_id,
                "tier": tier,
                "error": type(exc).__name__,
            },
        )

    def _record(self, result: ServedAnswer) -> None:
        labels = {"model": self.model_id, "tier": result.tier}
        self._metrics.latency.labels(**labels).observe(result.latency_s)
        self._metrics.tiers.labels(**labels, reason=result.reason).inc()
        if result.answer.confidence is not None:
            self._metrics.confidence.labels(**labels).observe(result.answer.confidence)
