"""The ``data`` section of a model's configuration: data-drift tests on predictions."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["DataConfig"]


class DataConfig(BaseModel):
    """Reference, windows and statistics of the data-drift worker."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
