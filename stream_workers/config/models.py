"""The YAML configuration file: defaults plus per-model overrides.

```yaml
defaults:
  concept: {detectors: [{name: adwin}, {name: accuracy}]}
  data: {...}
  retrain: {...}
models:
  churn:
    concept: {detectors: [{name: page_hinkley, params: {mode: both}}]}
```

A model's section replaces the default section of the same name as a whole; a
model not listed uses the defaults. Every field is validated at start-up and a bad
one is reported as ``models.churn.concept.detectors.0.name: ...``.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from stream_workers.config.concept import ConceptConfig
from stream_workers.config.data import DataConfig
from stream_workers.config.retrain import RetrainConfig
from stream_workers.errors import ConfigError

__all__ = ["DriftlineConfig", "ModelConfig", "load_config"]


class ModelConfig(BaseModel):
    """Everything configured for one model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    concept: ConceptConfig = Field(default_factory=ConceptConfig)
    data: DataConfig = Field(default_factory=DataConfig)
    retrain: RetrainConfig = Field(default_factory=RetrainConfig)


class DriftlineConfig(BaseModel):
    """The whole file: ``defaults`` and ``models``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    defaults: ModelConfig = Field(default_factory=ModelConfig)
    models: dict[str, dict[str, object]] = Field(default_factory=dict)

    def for_model(self, model_id: str) -> ModelConfig:
        """The effective configuration of one model (its sections over defaults)."""
        override = self.models.get(model_id)
        if not override:
            return self.defaults
        merged = self.defaults.model_dump()
        merged.update(override)
        return ModelConfig.model_validate(merged)

    def validate_models(self) -> None:
        """Validate every model's overrides now, not when its first event arrives."""
        for model_id in self.models:
            try:
                self.for_model(model_id)
            except ValidationError as exc:
                raise _config_error(exc, prefix=f"models.{model_id}.") from exc


def _config_error(exc: ValidationError, prefix: str = "") -> ConfigError:
    first = exc.errors()[0]
    field = prefix + ".".join(str(p) for p in first["loc"])
    lines = [
        f"{prefix}{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
        for e in exc.errors()[:5]
    ]
    return ConfigError("invalid configuration: " + "; ".join(lines), field=field)


def load_config(path: Path | None) -> DriftlineConfig:
    """Read and validate the YAML file; no file means the defaults."""
    if path is None:
        return DriftlineConfig()
    try:
        raw = yaml.safe_load(Path(path).read_text()) or {}
    except FileNotFoundError as exc:
        raise ConfigError(f"configuration file {path} does not exist") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(
            f"configuration file {path} is not valid YAML: {exc}"
        ) from exc
    try:
        config = DriftlineConfig.model_validate(raw)
    except ValidationError as exc:
        raise _config_error(exc) from exc
    config.validate_models()
    return config
