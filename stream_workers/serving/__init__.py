"""The serving side: a non-blocking event producer and a robustness layer.

:class:`PredictionLogger` and :class:`LabelLogger` put events on Kafka without
making the request wait; :class:`FallbackChain` serves from the first trusted
tier and says which one answered. MC dropout, deep ensembles, temperature
scaling and the MMD drift test need the ``torch`` extra: their names are
exported here but their modules (and torch) load only on first use, so
``import stream_workers.serving`` works without torch.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from stream_workers.serving.fallback import (
    FallbackChain,
    FallbackMetrics,
    ModelAnswer,
    Predictor,
    Rules,
    ServedAnswer,
    Tier,
    TierReason,
)
from stream_workers.serving.producer import (
    LabelLogger,
    PredictionLogger,
    ProducerMetrics,
    QueueFullPolicy,
)

if TYPE_CHECKING:
    from stream_workers.serving.calibration import (
        CalibrationReport,
        TemperatureScaled,
        TemperatureScaler,
        expected_calibration_error,
    )
    from stream_workers.serving.mmd import MMDDrift, MMDResult, mmd_test
    from stream_workers.serving.torch_predictor import TorchClassifier
    from stream_workers.serving.uncertainty import (
        UncertaintyResult,
        dropout_enabled,
        ensemble_predict,
        event_fields,
        mc_dropout_predict,
    )

__all__ = [
    "CalibrationReport",
    "FallbackChain",
    "FallbackMetrics",
    "LabelLogger",
    "MMDDrift",
    "MMDResult",
    "ModelAnswer",
    "PredictionLogger",
    "Predictor",
    "ProducerMetrics",
    "QueueFullPolicy",
    "Rules",
    "ServedAnswer",
    "TemperatureScaled",
    "TemperatureScaler",
    "Tier",
    "TierReason",
    "TorchClassifier",
    "UncertaintyResult",
    "dropout_enabled",
    "ensemble_predict",
    "event_fields",
    "expected_calibration_error",
    "mc_dropout_predict",
    "mmd_test",
]

# Names whose modules import torch, loaded by __getattr__ on first access.
_TORCH_NAMES = {
    "CalibrationReport": "calibration",
    "TemperatureScaled": "calibration",
    "TemperatureScaler": "calibration",
    "expected_calibration_error": "calibration",
    "MMDDrift": "mmd",
    "MMDResult": "mmd",
    "mmd_test": "mmd",
    "TorchClassifier": "torch_predictor",
    "UncertaintyResult": "uncertainty",
    "dropout_enabled": "uncertainty",
    "ensemble_predict": "uncertainty",
    "event_fields": "uncertainty",
    "mc_dropout_predict": "uncertainty",
}


def __getattr__(name: str) -> Any:
    module = _TORCH_NAMES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)
