"""Detectors by name, as the YAML configuration names them."""

from __future__ import annotations

import inspect
from collections.abc import Mapping

from stream_workers.detectors.adwin import ADWIN
from stream_workers.detectors.base import Detector
from stream_workers.detectors.ddm import DDM
from stream_workers.detectors.eddm import EDDM
from stream_workers.detectors.fhddm import FHDDM
from stream_workers.detectors.hddm_a import HDDMA
from stream_workers.detectors.hddm_w import HDDMW
from stream_workers.detectors.kswin import KSWIN
from stream_workers.detectors.page_hinkley import PageHinkley
from stream_workers.detectors.performance import (
    WindowedAccuracy,
    WindowedMAE,
    WindowedRMSE,
)
from stream_workers.errors import ConfigError

__all__ = ["DETECTOR_NAMES", "detector_class", "make_detector"]

_CLASSES: dict[str, type] = {
    cls.name: cls
    for cls in (
        ADWIN,
        DDM,
        EDDM,
        HDDMA,
        HDDMW,
        KSWIN,
        PageHinkley,
        FHDDM,
        WindowedAccuracy,
        WindowedMAE,
        WindowedRMSE,
    )
}

DETECTOR_NAMES: tuple[str, ...] = tuple(_CLASSES)
"""Every name :func:`make_detector` accepts, concept detectors first."""


def detector_class(name: str) -> type:
    """Return the class registered under ``name``, or raise ``ConfigError``."""
    if not isinstance(name, str) or name not in _CLASSES:
        known = ", ".join(DETECTOR_NAMES)
        raise ConfigError(
            f"unknown detector {name!r}; use one of: {known}.", field="detectors.name"
        )
    return _CLASSES[name]


def make_detector(name: str, params: Mapping[str, object] | None = None) -> Detector:
    """Build the detector ``name`` from keyword ``params``.

    Raises ``ConfigError`` for an unknown name, a parameter the detector does not
    take (the message lists those it does), or a value out of range.
    """
    cls = detector_class(name)
    params = {} if params is None else params
    if not isinstance(params, Mapping):
        raise ConfigError(
            f"{name}: `params` must be a mapping of argument to value, got {params!r}.",
            field=f"{name}.params",
        )

    accepted = [p for p in inspect.signature(cls).parameters if p != "self"]
    unknown = sorted(str(key) for key in params if key not in accepted)
    if unknown:
        raise ConfigError(
            f"{name}: unknown parameter(s) {', '.join(unknown)}; "
            f"accepted: {', '.join(accepted)}.",
            field=f"{name}.params.{unknown[0]}",
        )
    return cls(**params)
