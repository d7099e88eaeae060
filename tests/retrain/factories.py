"""Drift alerts for the retrain tests, with only the fields that matter varied."""

from __future__ import annotations

from typing import Any

from stream_workers.messages.models import DriftAlert

T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z
MIN = 60_000
HOUR = 3_600_000
DAY = 86_400_000


def alert_dict(
    ident: str,
    *,
    at_ms: int = T0,
    model: str = "m1",
    kind: str = "concept",
    severity: str = "critical",
    statistic: float = 0.5,
    detector: str = "adwin",
    window_end_ms: int | None = None,
) -> dict[str, Any]:
    """A DriftAlert as the detector workers publish it (JSON-ready)."""
    end = at_ms if window_end_ms is None else window_end_ms
    return {
        "alert_id": ident,
        "model_id": model,
        "model_version": "v1",
        "kind": kind,
        "detector": detector,
        "statistic": statistic,
        "severity": severity,
        "window": {
            "first_event_time_ms": end - MIN,
            "last_event_time_ms": end,
            "count": 100,
        },
        "detected_at_ms": at_ms,
    }


def alert(ident: str, **kwargs: Any) -> DriftAlert:
    return DriftAlert.model_validate(alert_dict(ident, **kwargs))
