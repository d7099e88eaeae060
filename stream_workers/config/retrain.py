"""The ``retrain`` section of a model's configuration: the policy and its actions.

```yaml
defaults:
  retrain:
    min_severity: critical        # drift alerts at or above this trigger; null: off
    accuracy_below: 0.8           # performance alerts under this accuracy trigger
    trend_windows: 3              # K worsening performance windows in a row trigger
    estimated_below: 0.75         # label-free estimates under this trigger
    min_confirming_alerts: 2      # qualifying alerts needed within confirm_window_s
    cooldown_s: 21600
    daily_budget: 3               # triggers per model and UTC day; null: unlimited
    actions:
      - type: airflow
        base_url: https://airflow.example.internal
        dag_id: model_retraining
        username: driftline
        password: {env: AIRFLOW_PASSWORD}
      - type: webhook
        url: https://hooks.example.internal/retrain
        secret: {file: /var/run/secrets/driftline/webhook}
```

Secrets are never written in the file: a :class:`SecretRef` names the environment
variable or the file (a mounted Kubernetes secret) that holds them. They are read
when the worker starts, and a missing one is a :class:`ConfigError`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from stream_workers.errors import ConfigError

__all__ = [
    "ActionConfig",
    "AirflowActionConfig",
    "RetrainConfig",
    "RetryConfig",
    "SecretRef",
    "WebhookActionConfig",
]

Severity = Literal["info", "warning", "critical"]
AlertKindName = Literal[
    "concept",
    "performance",
    "data",
    "prediction",
    "confidence",
    "estimated",
    "multivariate",
]


class SecretRef(BaseModel):
    """Where a secret is: an environment variable (``env``) or a file (``file``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    env: str | None = None
    file: Path | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> SecretRef:
        if (self.env is None) == (self.file is None):
            raise ValueError("give exactly one of 'env' or 'file'")
        return self

    def resolve(self) -> SecretStr:
        """Read the secret now; a missing one is a :class:`ConfigError`."""
        if self.env is not None:
            value = os.environ.get(self.env)
            if not value:
                raise ConfigError(
                    f"environment variable {self.env} is not set; set it to the "
                    "secret or point the configuration at a file",
                    field=self.env,
                )
            return SecretStr(value)
        assert self.file is not None
        try:
            text = self.file.read_text().strip()
        except OSError as exc:
            raise ConfigError(
                f"secret file {self.file} cannot be read ({exc.strerror}); mount it "
                "or fix the path",
                field=str(self.file),
            ) from exc
        if not text:
            raise ConfigError(f"secret file {self.file} is empty", field=str(self.file))
        return SecretStr(text)


class RetryConfig(BaseModel):
    """Attempts per action and the exponential backoff between them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_attempts: int = Field(default=4, ge=1, le=20)
    backoff_s: float = Field(default=0.5, ge=0)
    max_backoff_s: float = Field(default=8.0, ge=0)
    timeout_s: float = Field(default=5.0, gt=0)


class AirflowActionConfig(BaseModel):
    """Trigger a DAG run through Airflow's REST API (v2 for Airflow 3, v1 for 2).

    Authentication: a bearer ``token``; or ``username`` and ``password``, which v2
    exchanges for a token at ``/auth/token`` and v1 sends as basic auth.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["airflow"]
    name: str = Field(default="airflow", min_length=1, max_length=64)
    base_url: str = Field(pattern=r"^https?://")
    dag_id: str = Field(default="model_retraining", min_length=1)
    api_version: Literal["v2", "v1"] = "v2"
    token: SecretRef | None = None
    username: str | None = None
    password: SecretRef | None = None
    retry: RetryConfig = Field(default_factory=RetryConfig)

    @model_validator(mode="after")
    def _one_way_to_authenticate(self) -> AirflowActionConfig:
        if self.token is not None and self.password is not None:
            raise ValueError("give either 'token' or 'username' and 'password'")
        if (self.username is None) != (self.password is None):
            raise ValueError("'username' and 'password' go together")
        if self.api_version == "v1" and self.token is not None:
            raise ValueError("api_version v1 authenticates with username/password")
        return self


class WebhookActionConfig(BaseModel):
    """POST the decision as JSON, signed with HMAC-SHA256 when ``secret`` is set."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["webhook"]
    name: str = Field(default="webhook", min_length=1, max_length=64)
    url: str = Field(pattern=r"^https?://")
    secret: SecretRef | None = None
    signature_header: str = "X-Driftline-Signature"
    headers: dict[str, str] = Field(default_factory=dict)
    retry: RetryConfig = Field(default_factory=RetryConfig)


ActionConfig = Annotated[
    AirflowActionConfig | WebhookActionConfig, Field(discriminator="type")
]


class RetrainConfig(BaseModel):
    """When an alert leads to a retrain request, and where the request goes.

    Every decision is produced to ``retrain-requests``; ``actions`` lists what is
    called besides (none: Kafka only). The severity rule reads the alert kinds in
    ``severity_kinds``; ``accuracy_below`` and ``trend_windows`` read performance
    alerts; ``estimated_below`` reads label-free estimates. ``confirm_window_s``,
    ``cooldown_s`` and the UTC day of ``daily_budget`` run on alert event time.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    min_severity: Severity | None = "critical"
    severity_kinds: tuple[AlertKindName, ...] = (
        "concept",
        "performance",
        "data",
        "prediction",
        "confidence",
        "multivariate",
    )
    accuracy_below: float | None = Field(default=None, ge=0, le=1)
    trend_windows: int = Field(default=0, ge=0, le=50)
    estimated_below: float | None = Field(default=None, ge=0, le=1)
    min_confirming_alerts: int = Field(default=1, ge=1, le=100)
    confirm_window_s: float = Field(default=3600.0, gt=0)
    cooldown_s: float = Field(default=6 * 3600.0, ge=0)
    daily_budget: int | None = Field(default=3, ge=0)
    remember_alerts: int = Field(default=1024, ge=1)
    actions: list[ActionConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_action_names(self) -> RetrainConfig:
        names = [a.name for a in self.actions]
        if len(names) != len(set(names)):
            raise ValueError(f"action names must be unique, got {names}")
        return self
