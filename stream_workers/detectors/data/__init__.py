"""Data drift: per-feature two-sample tests of a window against a reference.

Pure logic, no Kafka. A worker builds a :class:`Reference` with a
:class:`ReferenceBuilder`, feeds records to a :class:`Windower`, and hands every
closed window to a :class:`DataDriftEvaluator`; a :class:`DriftLatch` turns the
verdicts into alerts that are raised once.
"""

from __future__ import annotations

from .alerts import DriftLatch
from .chi2 import chi2_homogeneity, chi2_test
from .columns import (
    CONFIDENCE,
    PREDICTION,
    CategoricalColumn,
    NumericColumn,
    column_types,
    confidence_of,
    to_categorical,
    to_numeric,
)
from .config import DriftConfig, NumericEffect
from .correction import correct_pvalues
from .evaluator import DataDriftEvaluator, FeatureDrift, QualitySignal, WindowReport
from .ks import ks_test
from .psi import PSI_EPSILON, categorical_psi, psi_from_counts, psi_from_proportions
from .quality import missing_rate_test, unseen_categories
from .reference import (
    DEFAULT_SAMPLE_CAP,
    CategoricalReference,
    NumericReference,
    Reference,
    ReferenceBuilder,
)
from .results import Correction, EffectSize, FeatureType, Status, TestResult
from .segments import OTHER_SEGMENT, SegmentCap
from .window import ClosedWindow, Windower, WindowSpec

__all__ = [
    "CONFIDENCE",
    "DEFAULT_SAMPLE_CAP",
    "OTHER_SEGMENT",
    "PREDICTION",
    "PSI_EPSILON",
    "CategoricalColumn",
    "CategoricalReference",
    "ClosedWindow",
    "Correction",
    "DataDriftEvaluator",
    "DriftConfig",
    "DriftLatch",
    "EffectSize",
    "FeatureDrift",
    "FeatureType",
    "NumericColumn",
    "NumericEffect",
    "NumericReference",
    "QualitySignal",
    "Reference",
    "ReferenceBuilder",
    "SegmentCap",
    "Status",
    "TestResult",
    "WindowReport",
    "WindowSpec",
    "Windower",
    "categorical_psi",
    "chi2_homogeneity",
    "chi2_test",
    "column_types",
    "confidence_of",
    "correct_pvalues",
    "ks_test",
    "missing_rate_test",
    "psi_from_counts",
    "psi_from_proportions",
    "to_categorical",
    "to_numeric",
    "unseen_categories",
]
