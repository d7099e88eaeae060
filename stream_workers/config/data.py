"""The ``data`` section of a model's configuration: data-drift tests on predictions.

```yaml
data:
  reference: {source: first_n, first_n: 5000}   # or file / topic, see below
  window: {kind: tumbling, by: count, size: 5000}
  correction: holm
  alpha: 0.05
  features: {age: numeric, country: categorical}  # empty: inferred
  per_segment: false
  cooldown_windows: 1
```

Every field has a default, so ``data: {}`` is a valid section. The statistics
settings are handed to :class:`~stream_workers.detectors.data.DriftConfig` and the
window to :class:`~stream_workers.detectors.data.WindowSpec`, which validate them
again with messages that name the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:
    from stream_workers.detectors.data import DriftConfig, WindowSpec

__all__ = [
    "DataConfig",
    "MultivariateConfig",
    "ReferenceConfig",
    "ReferenceSource",
    "WindowConfig",
]

ReferenceSource = Literal["first_n", "file", "topic"]
FileFormat = Literal["csv", "parquet", "jsonl"]


class ReferenceConfig(BaseModel):
    """Where a model's reference comes from.

    - ``first_n`` (default): the first ``first_n`` events of each model version
      (per input partition, see the worker's docstring), default 5,000;
    - ``file``: prediction events in ``path`` (CSV, Parquet or JSON lines; the
      format follows the suffix unless ``format`` is given). CSV and Parquet rows
      hold one column per feature plus optional ``model_id``, ``prediction`` and
      ``confidence`` columns; JSON lines hold PredictionEvent objects;
    - ``topic``: the events on the predictions topic whose event time lies in
      ``[start_ms, end_ms)``, read once at start-up.

    File and topic rows are filtered by ``model_id`` where they carry one; the
    reference then serves every version of the model.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: ReferenceSource = "first_n"
    first_n: int = Field(default=5000, ge=1)
    path: Path | None = None
    format: FileFormat | None = None
    start_ms: int | None = Field(default=None, ge=0)
    end_ms: int | None = Field(default=None, ge=0)
    sample_cap: int = Field(default=10_000, ge=100)
    seed: int = 0

    @model_validator(mode="after")
    def _source_fields(self) -> ReferenceConfig:
        if self.source == "file" and self.path is None:
            raise ValueError("reference source 'file' needs reference.path")
        if self.source == "topic" and (self.start_ms is None or self.end_ms is None):
            raise ValueError(
                "reference source 'topic' needs reference.start_ms and end_ms"
            )
        if self.start_ms is not None and self.end_ms is not None:
            if self.end_ms <= self.start_ms:
                raise ValueError("reference.end_ms must be after start_ms")
        return self


class WindowConfig(BaseModel):
    """Current windows: tumbling or sliding, by record count or event time (ms)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["tumbling", "sliding"] = "tumbling"
    by: Literal["count", "time"] = "count"
    size: int = Field(default=5000, ge=1)
    step: int | None = Field(default=None, ge=1)
    grace_ms: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _valid_step(self) -> WindowConfig:
        if self.step is None:
            return self
        if self.kind == "tumbling" and self.step != self.size:
            raise ValueError("a tumbling window takes no step; use kind: sliding")
        if self.size % self.step:
            raise ValueError(f"window.step must divide window.size {self.size}")
        return self

    def spec(self) -> WindowSpec:
        """The window specification the windower takes."""
        # Imported here so that reading the YAML file does not load scipy.
        from stream_workers.detectors.data import WindowSpec

        return WindowSpec(self.kind, self.by, self.size, self.step, self.grace_ms)


class MultivariateConfig(BaseModel):
    """MMD test on the events' ``embedding``; needs torch, off by default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    reference_size: int = Field(default=500, ge=2)
    window_size: int = Field(default=500, ge=2)
    permutations: int = Field(default=200, ge=1)
    alpha: float = Field(default=0.01, gt=0, lt=1)
    device: str | None = None


class DataConfig(BaseModel):
    """Reference, windows and statistics of the data-drift worker for one model.

    ``features`` declares each feature's type (``numeric`` or ``categorical``);
    values are normalised by it, so ``"1.5"`` is a number for a numeric feature
    and ``1`` is the category ``"1"`` for a categorical one. Left empty, the
    types are inferred from the first events (numbers are numeric, strings and
    booleans categorical) and at most ``max_features`` features are monitored,
    the first ones by name. ``prediction_type`` defaults to categorical for
    classification and numeric for regression. ``cooldown_windows`` is how many
    clean windows re-arm an alert that fired (the :class:`DriftLatch`).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    reference: ReferenceConfig = Field(default_factory=ReferenceConfig)
    window: WindowConfig = Field(default_factory=WindowConfig)
    features: dict[str, Literal["numeric", "categorical"]] = Field(default_factory=dict)
    max_features: int = Field(default=200, ge=1)
    prediction_type: Literal["numeric", "categorical"] | None = None
    monitor_prediction: bool = True
    monitor_confidence: bool = True
    alpha: float = Field(default=0.05, gt=0, lt=1)
    correction: Literal["holm", "bh", "bonferroni", "none"] = "holm"
    numeric_effect: Literal["ks_d", "psi", "wasserstein"] = "ks_d"
    ks_d_threshold: float = Field(default=0.1, ge=0)
    psi_threshold: float = Field(default=0.2, ge=0)
    wasserstein_threshold: float = Field(default=0.1, ge=0)
    min_window_size: int = Field(default=100, ge=1)
    missing_ratio_threshold: float = Field(default=0.05, ge=0)
    unseen_rate_threshold: float = Field(default=0.0, ge=0)
    alert_on_missing: bool = True
    alert_on_unseen: bool = True
    per_segment: bool = False
    max_segments: int = Field(default=20, ge=2)
    cooldown_windows: int = Field(default=1, ge=1)
    multivariate: MultivariateConfig = Field(default_factory=MultivariateConfig)

    def drift_config(self) -> DriftConfig:
        """The evaluator's settings."""
        from stream_workers.detectors.data import DriftConfig

        return DriftConfig(
            alpha=self.alpha,
            correction=self.correction,
            ks_d_threshold=self.ks_d_threshold,
            psi_threshold=self.psi_threshold,
            wasserstein_threshold=self.wasserstein_threshold,
            numeric_effect=self.numeric_effect,
            min_window_size=self.min_window_size,
            missing_ratio_threshold=self.missing_ratio_threshold,
            unseen_rate_threshold=self.unseen_rate_threshold,
        )
