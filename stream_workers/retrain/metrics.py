"""The retrain worker's metrics, on a registry passed in."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram

__all__ = ["RetrainMetrics"]


@dataclass(frozen=True)
class RetrainMetrics:
    """Decisions by outcome, and attempts, failures and duration per action."""

    decisions: Counter
    action_attempts: Counter
    action_failures: Counter
    action_duration: Histogram

    @classmethod
    def create(cls, registry: CollectorRegistry) -> RetrainMetrics:
        return cls(
            decisions=Counter(
                "driftline_retrain_decisions_total",
                "Retrain decisions by model and outcome.",
                ["model", "outcome"],
                registry=registry,
            ),
            action_attempts=Counter(
                "driftline_retrain_action_attempts_total",
                "Calls made by retrain actions, retries included.",
                ["action"],
                registry=registry,
            ),
            action_failures=Counter(
                "driftline_retrain_action_failures_total",
                "Retrain actions that failed after their last attempt.",
                ["action"],
                registry=registry,
            ),
            action_duration=Histogram(
                "driftline_retrain_action_duration_seconds",
                "Time one retrain action took, retries included.",
                ["action"],
                buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
                registry=registry,
            ),
        )
