"""The ``concept`` section of a model's configuration: detectors on the error stream.

``estimation`` switches on label-free accuracy estimation from the predictions'
confidence (see :mod:`stream_workers.workers.estimation`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ConceptConfig", "DetectorConfig", "EstimationConfig", "GateConfig"]


class DetectorConfig(BaseModel):
    """One detector: a registered name (adwin, ddm, ...), its parameters, a label."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    params: dict[str, Any] = Field(default_factory=dict)
    label: str | None = None


class GateConfig(BaseModel):
    """Cooldown and N-of-M confirmation that keep one change to one alert."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cooldown_events: int = Field(default=0, ge=0)
    cooldown_ms: int = Field(default=0, ge=0)
    confirm_n: int = Field(default=1, ge=1)
    confirm_m: int = Field(default=1, ge=1)


class EstimationConfig(BaseModel):
    """Label-free accuracy per event-time window from calibrated confidence.

    ``window_ms`` is the window length and ``allowed_lateness_ms`` how far the
    predictions' event time must pass a window's end before it is closed and
    estimated. ``threshold``: alert when a closed window's estimate falls under it
    (None: publish, never alert). The reliability map has ``calibration_bins``
    equal-width confidence bins, is used once ``min_labels_for_calibration``
    labels came in, shrinks each bin towards identity by ``calibration_prior``
    pseudo-labels and forgets with a memory of ``calibration_memory`` labels
    (None: never). A window is compared with its realised accuracy once
    ``settled_share`` of its predictions came back as outcomes. ``windows_topic``
    (prefixed like every topic; it must exist) receives one record per window
    estimated and per window settled.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    window_ms: int = Field(default=3_600_000, ge=1_000)
    allowed_lateness_ms: int = Field(default=60_000, ge=0)
    threshold: float | None = Field(default=None, ge=0, le=1)
    min_predictions: int = Field(default=30, ge=1)
    calibration_bins: int = Field(default=10, ge=1, le=100)
    min_labels_for_calibration: int = Field(default=200, ge=0)
    calibration_prior: float = Field(default=20.0, ge=0)
    calibration_memory: int | None = Field(default=5_000, ge=10)
    settled_share: float = Field(default=0.9, gt=0, le=1)
    retain_windows: int = Field(default=48, ge=2, le=10_000)
    windows_topic: str | None = Field(default=None, min_length=1)


class ConceptConfig(BaseModel):
    """Detectors per model version (and per segment when ``per_segment``).

    ``detectors`` watch classification models (0/1 errors and the correct flag);
    ``regression_detectors`` watch regression models (signed errors), since the
    binary detectors (DDM, EDDM, FHDDM) and accuracy cannot take those.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    detectors: list[DetectorConfig] = Field(
        default_factory=lambda: [
            DetectorConfig(name="adwin"),
            DetectorConfig(name="accuracy"),
        ]
    )
    regression_detectors: list[DetectorConfig] = Field(
        default_factory=lambda: [
            DetectorConfig(name="adwin"),
            DetectorConfig(name="page_hinkley", params={"mode": "up"}),
            DetectorConfig(name="mae"),
        ]
    )
    gate: GateConfig = Field(default_factory=GateConfig)
    per_segment: bool = False
    max_segments: int = Field(default=20, ge=1)
    warnings_as_alerts: bool = False
    dedupe_capacity: int = Field(default=1024, ge=0)
    estimation: EstimationConfig = Field(default_factory=EstimationConfig)

    def detector_specs(self, task: str) -> list[dict[str, Any]]:
        """The detector entries for a task, as ``DetectorSet`` takes them."""
        chosen = self.regression_detectors if task == "regression" else self.detectors
        specs = []
        for detector in chosen:
            spec = detector.model_dump()
            if spec.get("label") is None:
                spec.pop("label")
            specs.append(spec)
        return specs
