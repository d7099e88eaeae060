"""Metrics of the concept worker."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge

__all__ = ["ConceptMetrics"]


@dataclass(frozen=True)
class ConceptMetrics:
    outcomes: Counter
    invalid_input: Counter
    redelivered: Counter
    alerts: Counter
    statistic: Gauge
    accuracy: Gauge
    label_coverage: Gauge
    adwin_clock: Gauge
    detector_resets: Counter
    accuracy_gap: Gauge
    estimation_predictions: Counter
    estimation_windows: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry) -> ConceptMetrics:
        return cls(
            outcomes=Counter(
                "driftline_concept_outcomes_total",
                "Outcomes seen by the concept worker, by model and whether labelled.",
                ["model", "labeled"],
                registry=registry,
            ),
            invalid_input=Counter(
                "driftline_concept_invalid_input_total",
                "Outcomes whose error no detector can take (NaN, inf, missing), "
                "dead-lettered instead of fed.",
                ["model"],
                registry=registry,
            ),
            redelivered=Counter(
                "driftline_concept_redelivered_total",
                "Outcomes seen again for a request already fed, skipped.",
                ["model"],
                registry=registry,
            ),
            alerts=Counter(
                "driftline_concept_alerts_total",
                "Alerts produced, by model, detector and level.",
                ["model", "detector", "level"],
                registry=registry,
            ),
            statistic=Gauge(
                "driftline_concept_detector_statistic",
                "The latest statistic of each detector (its meaning depends on it).",
                ["model", "version", "detector"],
                registry=registry,
            ),
            accuracy=Gauge(
                "driftline_model_accuracy_ratio",
                "Accuracy of the last closed window: realised from labels, or "
                "estimated from confidence.",
                ["model", "version", "kind"],
                registry=registry,
            ),
            label_coverage=Gauge(
                "driftline_concept_label_coverage_ratio",
                "Share of outcomes that carried a label (the rest expired unlabelled).",
                ["model", "version"],
                registry=registry,
            ),
            adwin_clock=Gauge(
                "driftline_concept_adwin_clock",
                "How often (in samples) each ADWIN detector checks for a cut.",
                ["model", "version", "detector"],
                registry=registry,
            ),
            detector_resets=Counter(
                "driftline_concept_detector_resets_total",
                "Detector sets started afresh (no checkpoint found for the key).",
                ["model"],
                registry=registry,
            ),
            accuracy_gap=Gauge(
                "driftline_model_accuracy_gap_ratio",
                "Estimated minus realised accuracy of the last window whose "
                "outcomes are in.",
                ["model", "version"],
                registry=registry,
            ),
            estimation_predictions=Counter(
                "driftline_concept_estimation_predictions_total",
                "Predictions read for label-free estimation, by status: counted, "
                "late (window already estimated), expired (past retention), "
                "unusable (no probabilities).",
                ["model", "status"],
                registry=registry,
            ),
            estimation_windows=Counter(
                "driftline_concept_estimation_windows_total",
                "Windows estimated from confidence, and settled against labels.",
                ["model", "stage"],
                registry=registry,
            ),
        )
