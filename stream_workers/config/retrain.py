"""The ``retrain`` section of a model's configuration: the policy and its actions."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["RetrainConfig"]


class RetrainConfig(BaseModel):
    """When an alert leads to a retrain request, and where the request goes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
