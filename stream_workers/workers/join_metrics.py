"""Metrics of the join worker."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["JoinMetrics"]

_DAY = 86400.0


@dataclass(frozen=True)
class JoinMetrics:
    outcomes: Counter
    expired: Counter
    late_labels: Counter
    duplicates: Counter
    pending: Gauge
    label_delay: Histogram

    @classmethod
    def create(cls, registry: CollectorRegistry) -> JoinMetrics:
        return cls(
            outcomes=Counter(
                "driftline_join_outcomes_total",
                "Outcomes produced, by model and join order "
                "(label_after, label_before, unlabeled).",
                ["model", "order"],
                registry=registry,
            ),
            expired=Counter(
                "driftline_join_expired_total",
                "Entries removed after their TTL, by side (prediction, label).",
                ["side"],
                registry=registry,
            ),
            late_labels=Counter(
                "driftline_join_late_labels_total",
                "Labels that arrived after their prediction expired.",
                registry=registry,
            ),
            duplicates=Counter(
                "driftline_join_duplicates_total",
                "Predictions or labels seen again for a request already pending "
                "or joined, by side.",
                ["side"],
                registry=registry,
            ),
            pending=Gauge(
                "driftline_join_pending_records",
                "Entries waiting for the other side, by side, at the last commit.",
                ["side"],
                registry=registry,
            ),
            label_delay=Histogram(
                "driftline_join_label_delay_seconds",
                "Event-time delay from a prediction to its label.",
                ["model"],
                buckets=(1, 10, 60, 600, 3600, 6 * 3600, _DAY, 2 * _DAY, 7 * _DAY),
                registry=registry,
            ),
        )
