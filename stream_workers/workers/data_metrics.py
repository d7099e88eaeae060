"""Metrics of the data-drift worker.

Labels come from a closed set: the model ID, a feature among the at most
``max_features`` a model monitors, the test name, an alert kind and a skip
reason. Versions, segments and partitions are not labels; the latest window of
any of a model's series sets the gauges.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge

__all__ = ["SKIP_REASONS", "DataMetrics"]

# Why a record or a value was not used, the closed set of the ``reason`` label.
SKIP_REASONS = (
    "invalid_value",
    "late",
    "disabled_model",
    "no_reference",
    "invalid_embedding",
)


@dataclass(frozen=True)
class DataMetrics:
    feature_statistic: Gauge
    feature_p_value: Gauge
    feature_effect_size: Gauge
    drifted_features: Gauge
    drifted_share: Gauge
    missing_ratio: Gauge
    windows: Counter
    skipped: Counter
    alerts: Counter
    references: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry) -> DataMetrics:
        return cls(
            feature_statistic=Gauge(
                "driftline_data_feature_statistic",
                "Test statistic of a feature in the latest window (KS D, chi2).",
                ["model", "feature", "test"],
                registry=registry,
            ),
            feature_p_value=Gauge(
                "driftline_data_feature_p_value",
                "Uncorrected p-value of a feature in the latest window.",
                ["model", "feature"],
                registry=registry,
            ),
            feature_effect_size=Gauge(
                "driftline_data_feature_effect_size",
                "Gate effect size of a feature in the latest window (KS D or PSI).",
                ["model", "feature"],
                registry=registry,
            ),
            drifted_features=Gauge(
                "driftline_data_drifted_features",
                "Features that drifted in the latest window.",
                ["model"],
                registry=registry,
            ),
            drifted_share=Gauge(
                "driftline_data_drifted_feature_share",
                "Drifted share of the features tested in the latest window.",
                ["model"],
                registry=registry,
            ),
            missing_ratio=Gauge(
                "driftline_data_feature_missing_ratio",
                "Share of missing values of a feature, in the latest window "
                "(window=current) and in the reference (window=reference).",
                ["model", "feature", "window"],
                registry=registry,
            ),
            windows=Counter(
                "driftline_data_windows_evaluated_total",
                "Windows judged against the reference.",
                ["model"],
                registry=registry,
            ),
            skipped=Counter(
                "driftline_data_records_skipped_total",
                "Records, or single feature values (reason=invalid_value), that "
                "no test could use, by reason.",
                ["model", "reason"],
                registry=registry,
            ),
            alerts=Counter(
                "driftline_data_alerts_total",
                "Alerts produced, by kind (data, prediction, confidence, "
                "multivariate).",
                ["model", "kind"],
                registry=registry,
            ),
            references=Counter(
                "driftline_data_references_built_total",
                "References built (learned from events, or read from a file or "
                "the topic); a restored reference is not counted.",
                ["model", "source"],
                registry=registry,
            ),
        )
