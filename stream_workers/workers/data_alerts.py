"""Alerts and gauges from one judged window of the data-drift worker.

Latch keys: a feature's name (kind ``data``), the prediction and confidence
columns (kinds ``prediction`` and ``confidence``), ``missing:<feature>`` and
``unseen:<feature>`` for the data-quality signals (kind ``data``, severity
warning) and ``embedding`` for the MMD test (kind ``multivariate``). An alert's
ID hashes the model, version, segment, input partition, kind, latch key and the
window's end, so a replay of the same records gives the same IDs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stream_workers.config.data import DataConfig
from stream_workers.detectors.data import (
    CONFIDENCE,
    PREDICTION,
    FeatureDrift,
    QualitySignal,
    WindowReport,
)
from stream_workers.workers.alerting import alert_id
from stream_workers.workers.data_metrics import DataMetrics
from stream_workers.workers.data_state import TimedWindow, finite_or_none

__all__ = ["Series", "latch_states", "mmd_alert", "record_window", "window_alerts"]

DETECTOR = "data_drift"


@dataclass(frozen=True)
class Series:
    """Who a series is: model, version, segment label and input partition."""

    model_id: str
    model_version: str
    segment: str | None
    partition: int

    def alert_id(self, kind: str, key: str, window_end: int) -> str:
        return alert_id(
            self.model_id,
            self.model_version,
            self.segment,
            self.partition,
            kind,
            key,
            window_end,
        )

    def envelope(self, kind: str, key: str, timed: TimedWindow) -> dict[str, Any]:
        """The fields every alert of this series and window shares."""
        window = timed.window
        alert: dict[str, Any] = {
            "schema_version": 1,
            "alert_id": self.alert_id(kind, key, window.end),
            "model_id": self.model_id,
            "model_version": self.model_version,
            "kind": kind,
            "detector": DETECTOR,
            "window": {
                "first_event_time_ms": timed.first_event_time_ms,
                "last_event_time_ms": timed.last_event_time_ms,
                "count": window.n_rows,
            },
            "detected_at_ms": timed.last_event_time_ms,
        }
        if self.segment is not None:
            alert["segment"] = self.segment
        return alert


def latch_states(report: WindowReport, config: DataConfig) -> dict[str, bool | None]:
    """The verdicts the latch sees, without the signals switched off."""
    states = report.drift_states()
    for key, drift in report.quality_states().items():
        kind = key.partition(":")[0]
        if (kind == "missing" and config.alert_on_missing) or (
            kind == "unseen" and config.alert_on_unseen
        ):
            states[key] = drift
    return states


def window_alerts(
    series: Series,
    timed: TimedWindow,
    report: WindowReport,
    raised: tuple[str, ...],
    config: DataConfig,
) -> list[dict[str, Any]]:
    """One alert per latch key raised in this window."""
    drift = config.drift_config()
    alerts = []
    extra = {
        "partition": series.partition,
        "window_start": report.start,
        "window_end": report.end,
        "drifted_features": report.drifted_count,
        "drifted_share": report.drifted_share,
    }
    for key in raised:
        signal, _, name = key.partition(":")
        if signal in ("missing", "unseen") and name in report.quality:
            alert = series.envelope("data", key, timed)
            alert.update(_quality(signal, report.quality[name], config))
        else:
            verdict = _verdict(report, key)
            if verdict is None or verdict.result is None:
                continue
            kind = {PREDICTION: "prediction", CONFIDENCE: "confidence"}.get(key, "data")
            alert = series.envelope(kind, key, timed)
            alert.update(_drift(verdict, drift.numeric_effect, drift))
        alert["details"] = {**extra, **alert.get("details", {})}
        alerts.append(alert)
    return alerts


def _verdict(report: WindowReport, key: str) -> FeatureDrift | None:
    if key == PREDICTION:
        return report.prediction
    if key == CONFIDENCE:
        return report.confidence
    return report.features.get(key)


def _drift(verdict: FeatureDrift, numeric_effect: str, drift: Any) -> dict[str, Any]:
    result = verdict.result
    assert result is not None
    gate = numeric_effect if verdict.feature_type == "numeric" else "psi"
    feature = None if verdict.feature in (PREDICTION, CONFIDENCE) else verdict.feature
    details: dict[str, Any] = {"n_current": result.n_cur}
    for effect in (result.effect, *result.extra_effects):
        details[effect.name] = finite_or_none(effect.value)
    out = {
        "test": result.test,
        "statistic": result.statistic,
        "threshold": drift.threshold_for(gate),
        "p_value": result.p_value,
        "p_value_corrected": verdict.p_corrected,
        "effect_size": finite_or_none(result.effect_value(gate)),
        "effect_size_name": gate,
        "severity": "critical",
        "reference_size": result.n_ref,
        "details": details,
    }
    if feature is not None:
        out["feature"] = feature
    return out


def _quality(signal: str, quality: QualitySignal, config: DataConfig) -> dict[str, Any]:
    base: dict[str, Any] = {"feature": quality.feature, "severity": "warning"}
    if signal == "missing" and quality.missing_test is not None:
        test = quality.missing_test
        return base | {
            "test": test.test,
            "statistic": test.statistic,
            "threshold": config.missing_ratio_threshold,
            "p_value": test.p_value,
            "p_value_corrected": quality.missing_p_corrected,
            "effect_size": test.effect.value,
            "effect_size_name": test.effect.name,
            "reference_size": test.n_ref,
            "details": {
                "missing_ratio": quality.missing_ratio,
                "reference_missing_ratio": quality.ref_missing_ratio,
            },
        }
    return base | {
        "test": "unseen_categories",
        "statistic": quality.unseen_rate,
        "threshold": config.unseen_rate_threshold,
        "effect_size": quality.unseen_rate,
        "effect_size_name": "unseen_rate",
        "details": {
            "unseen_count": quality.unseen_count,
            "unseen_categories": ",".join(quality.unseen_categories),
        },
    }


def record_window(metrics: DataMetrics, model: str, report: WindowReport) -> None:
    """Set the gauges of a model from its latest judged window."""
    metrics.windows.labels(model).inc()
    metrics.drifted_features.labels(model).set(report.drifted_count)
    metrics.drifted_share.labels(model).set(report.drifted_share)
    for name, verdict in report.features.items():
        if verdict.result is None:
            continue
        result = verdict.result
        metrics.feature_statistic.labels(model, name, result.test).set(result.statistic)
        metrics.feature_p_value.labels(model, name).set(result.p_value)
        metrics.feature_effect_size.labels(model, name).set(result.effect.value)
    for name, quality in report.quality.items():
        metrics.missing_ratio.labels(model, name, "current").set(quality.missing_ratio)
        metrics.missing_ratio.labels(model, name, "reference").set(
            quality.ref_missing_ratio
        )


def mmd_alert(
    series: Series,
    result: Any,
    alpha: float,
    index: int,
    first_ms: int,
    last_ms: int,
) -> dict[str, Any]:
    """The alert of a drifted embedding window (``result`` is an MMDResult)."""
    alert: dict[str, Any] = {
        "schema_version": 1,
        "alert_id": series.alert_id("multivariate", "embedding", index),
        "model_id": series.model_id,
        "model_version": series.model_version,
        "kind": "multivariate",
        "detector": DETECTOR,
        "feature": "embedding",
        "test": "mmd",
        "statistic": result.statistic,
        "threshold": alpha,
        "p_value": result.p_value,
        "severity": "critical",
        "window": {
            "first_event_time_ms": first_ms,
            "last_event_time_ms": last_ms,
            "count": result.n_cur,
        },
        "reference_size": result.n_ref,
        "detected_at_ms": last_ms,
        "details": {
            "partition": series.partition,
            "window_index": index,
            "bandwidth": result.bandwidth,
            "permutations": result.permutations,
        },
    }
    if series.segment is not None:
        alert["segment"] = series.segment
    return alert
