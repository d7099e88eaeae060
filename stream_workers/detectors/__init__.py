"""Concept-drift and performance detectors, fed one outcome at a time.

Every detector follows one contract (:class:`Detector`): ``update(x)`` returns
the detector and the result is read from ``drift_detected``,
``warning_detected``, ``statistic``, ``threshold``, ``n_seen`` and
``n_window``. Concept detectors wrap river's; performance detectors compare a
windowed metric with a baseline. :class:`DetectorSet` holds one model version's
detectors with their alert gates and is what the concept worker calls and
checkpoints. Nothing here logs or talks to Kafka.
"""

from __future__ import annotations

from stream_workers.detectors.adwin import ADWIN
from stream_workers.detectors.base import Detector, DetectorKind, InputField
from stream_workers.detectors.ddm import DDM
from stream_workers.detectors.dedupe import RecentIds
from stream_workers.detectors.detector_set import (
    DEFAULT_DETECTORS,
    DetectorSet,
    DriftSignal,
    SignalLevel,
)
from stream_workers.detectors.eddm import EDDM
from stream_workers.detectors.fhddm import FHDDM
from stream_workers.detectors.gate import GateSettings, SignalGate
from stream_workers.detectors.hddm_a import HDDMA
from stream_workers.detectors.hddm_w import HDDMW
from stream_workers.detectors.inputs import InputDomain, coerce_input
from stream_workers.detectors.kswin import KSWIN
from stream_workers.detectors.moments import RunningMoments
from stream_workers.detectors.page_hinkley import PageHinkley, PageHinkleyMode
from stream_workers.detectors.performance import (
    WindowedAccuracy,
    WindowedMAE,
    WindowedMetric,
    WindowedRMSE,
)
from stream_workers.detectors.registry import (
    DETECTOR_NAMES,
    detector_class,
    make_detector,
)

__all__ = [
    "ADWIN",
    "DDM",
    "DEFAULT_DETECTORS",
    "DETECTOR_NAMES",
    "EDDM",
    "FHDDM",
    "HDDMA",
    "HDDMW",
    "KSWIN",
    "Detector",
    "DetectorKind",
    "DetectorSet",
    "DriftSignal",
    "GateSettings",
    "InputDomain",
    "InputField",
    "PageHinkley",
    "PageHinkleyMode",
    "RecentIds",
    "RunningMoments",
    "SignalGate",
    "SignalLevel",
    "WindowedAccuracy",
    "WindowedMAE",
    "WindowedMetric",
    "WindowedRMSE",
    "coerce_input",
    "detector_class",
    "make_detector",
]
