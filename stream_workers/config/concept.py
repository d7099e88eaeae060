"""The ``concept`` section of a model's configuration: detectors on the error stream."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ConceptConfig", "DetectorConfig", "GateConfig"]


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


class ConceptConfig(BaseModel):
    """Detectors per model version (and per segment when ``per_segment``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    detectors: list[DetectorConfig] = Field(
        default_factory=lambda: [
            DetectorConfig(name="adwin"),
            DetectorConfig(name="ddm"),
            DetectorConfig(name="accuracy"),
        ]
    )
    gate: GateConfig = Field(default_factory=GateConfig)
    per_segment: bool = False
    max_segments: int = Field(default=20, ge=1)
    warnings_as_alerts: bool = False
    dedupe_capacity: int = Field(default=1024, ge=0)
