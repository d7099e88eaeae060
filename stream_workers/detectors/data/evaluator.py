"""Judge a closed window against the reference, feature by feature.

For every declared feature the evaluator runs the test of its type (KS for
numbers, chi-square homogeneity for categories), corrects the p-values of the
features tested in the window together, and calls a feature drifted only when
the corrected p-value is below alpha and the effect size is above its gate. The
predicted value and the confidence are judged the same way, as a family of their
own. Missing rates and unseen categories are reported as data-quality signals.

Nothing here raises on data: a window too small to test, or empty, gives the
status ``"insufficient_data"``, ``drift=None`` and a reason, never a NaN.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .chi2 import chi2_test
from .columns import CONFIDENCE, PREDICTION, CategoricalColumn, Column, NumericColumn
from .config import DriftConfig
from .correction import correct_pvalues
from .ks import ks_test
from .quality import missing_rate_test, unseen_categories
from .reference import CategoricalReference, NumericReference, Reference
from .results import FeatureType, Status, TestResult
from .window import ClosedWindow

__all__ = ["DataDriftEvaluator", "FeatureDrift", "QualitySignal", "WindowReport"]

# Longest list of unseen category names carried in a signal.
MAX_UNSEEN_LISTED = 20


@dataclass(frozen=True, slots=True)
class FeatureDrift:
    """The verdict on one feature (or on the prediction or the confidence).

    ``drift`` is None, never False, when the feature could not be tested; then
    ``reason`` says why and ``result`` is None.
    """

    feature: str
    feature_type: FeatureType
    status: Status
    drift: bool | None
    result: TestResult | None = None
    p_corrected: float | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class QualitySignal:
    """Missing, invalid and unseen values of one feature in the current window."""

    feature: str
    n_rows: int
    n_missing: int
    n_invalid: int
    missing_ratio: float
    ref_missing_ratio: float
    missing_test: TestResult | None
    missing_p_corrected: float | None
    missing_alert: bool
    unseen_categories: tuple[str, ...]
    unseen_count: int
    unseen_rate: float
    unseen_alert: bool


@dataclass(frozen=True, slots=True)
class WindowReport:
    """Everything the evaluator found in one window."""

    start: int
    end: int
    n_rows: int
    status: Status
    reason: str | None
    features: Mapping[str, FeatureDrift]
    quality: Mapping[str, QualitySignal]
    prediction: FeatureDrift | None
    confidence: FeatureDrift | None

    @property
    def drifted(self) -> tuple[str, ...]:
        """Names of the drifted features, in declaration order."""
        return tuple(n for n, f in self.features.items() if f.drift)

    @property
    def n_tested(self) -> int:
        """How many features were tested (status ``"ok"``)."""
        return sum(1 for f in self.features.values() if f.status == "ok")

    @property
    def drifted_count(self) -> int:
        """How many features drifted."""
        return len(self.drifted)

    @property
    def drifted_share(self) -> float:
        """Drifted share of the tested features; 0.0 when none was tested."""
        tested = self.n_tested
        return self.drifted_count / tested if tested else 0.0

    @property
    def corrected_p_values(self) -> dict[str, float]:
        """Corrected p-value of every tested feature."""
        return {
            n: f.p_corrected
            for n, f in self.features.items()
            if f.p_corrected is not None
        }

    def drift_states(self) -> dict[str, bool | None]:
        """Drift per feature, then per model output, for an alert latch."""
        states = {n: f.drift for n, f in self.features.items()}
        for output in (self.prediction, self.confidence):
            if output is not None:
                states[output.feature] = output.drift
        return states

    def quality_states(self) -> dict[str, bool | None]:
        """Quality alerts keyed ``missing:<feature>`` and ``unseen:<feature>``."""
        states: dict[str, bool | None] = {}
        for name, q in self.quality.items():
            states[f"missing:{name}"] = q.missing_alert if q.missing_test else None
            states[f"unseen:{name}"] = q.unseen_alert
        return states


class DataDriftEvaluator:
    """Compares closed windows with one reference under one configuration.

    The column types declared when the reference was built decide which test a
    column gets; the window must come from a :class:`Windower` built with the same
    ``reference.column_types``.
    """

    def __init__(self, reference: Reference, config: DriftConfig | None = None):
        self.reference = reference
        self.config = config or DriftConfig()

    def evaluate(self, window: ClosedWindow) -> WindowReport:
        """Return the report on ``window``; never raises on the data."""
        types = self.reference.column_types
        features = [n for n in types if n not in (PREDICTION, CONFIDENCE)]
        outputs = [n for n in (PREDICTION, CONFIDENCE) if n in types]

        verdicts = self._judge_family(features, window)
        judged_outputs = self._judge_family(outputs, window)
        quality = self._quality(features, window)

        tested = any(v.status == "ok" for v in verdicts.values())
        reason = None if tested else _window_reason(window, self.config)
        return WindowReport(
            start=window.start,
            end=window.end,
            n_rows=window.n_rows,
            status="ok" if tested else "insufficient_data",
            reason=reason,
            features=verdicts,
            quality=quality,
            prediction=judged_outputs.get(PREDICTION),
            confidence=judged_outputs.get(CONFIDENCE),
        )

    def _judge_family(
        self, names: list[str], window: ClosedWindow
    ) -> dict[str, FeatureDrift]:
        config = self.config
        types = self.reference.column_types
        outcomes = {n: self._test(n, window.columns.get(n)) for n in names}

        results = {n: o for n, o in outcomes.items() if isinstance(o, TestResult)}
        corrected = correct_pvalues(
            [r.p_value for r in results.values()], config.correction
        )
        adjusted = dict(zip(results, (float(p) for p in corrected), strict=True))

        verdicts: dict[str, FeatureDrift] = {}
        for name, outcome in outcomes.items():
            if isinstance(outcome, str):
                verdicts[name] = FeatureDrift(
                    name, types[name], "insufficient_data", None, reason=outcome
                )
                continue
            gate = config.numeric_effect if types[name] == "numeric" else "psi"
            effect = outcome.effect_value(gate) or 0.0
            significant = adjusted[name] < config.alpha
            drift = significant and effect > config.threshold_for(gate)
            verdicts[name] = FeatureDrift(
                name, types[name], "ok", drift, outcome, adjusted[name]
            )
        return verdicts

    def _test(self, name: str, column: Column | None) -> TestResult | str:
        """Return the test result, or the reason the column was not tested."""
        ref = self.reference.columns[name]
        if column is None:
            return "column absent from the window"
        if isinstance(ref, NumericReference) and isinstance(column, NumericColumn):
            reason = self._too_small(ref.sample.size, column.values.size)
            return reason or ks_test(
                ref.values,
                column.values,
                edges=ref.edges,
                ref_bin_counts=ref.bin_counts,
            )
        if isinstance(ref, CategoricalReference) and isinstance(
            column, CategoricalColumn
        ):
            n_ref, n_cur = sum(ref.counts.values()), sum(column.counts.values())
            return self._too_small(n_ref, n_cur) or chi2_test(ref.counts, column.counts)
        return "window and reference disagree on the column type"

    def _too_small(self, n_ref: int, n_cur: int) -> str | None:
        minimum = self.config.min_window_size
        if n_ref == 0:
            return "reference has no valid values"
        if n_cur == 0:
            return "current window has no valid values"
        if n_cur < minimum:
            return f"current window has {n_cur} valid values, fewer than {minimum}"
        return None

    def _quality(
        self, names: list[str], window: ClosedWindow
    ) -> dict[str, QualitySignal]:
        config = self.config
        tests: dict[str, TestResult] = {}
        for name in names:
            ref, column = self.reference.columns[name], window.columns.get(name)
            if column is None or column.n_rows < config.min_window_size:
                continue
            if ref.n_rows == 0:
                continue
            tests[name] = missing_rate_test(
                ref.n_missing, ref.n_rows, column.n_missing, column.n_rows
            )
        corrected = correct_pvalues(
            [t.p_value for t in tests.values()], config.correction
        )
        adjusted = dict(zip(tests, (float(p) for p in corrected), strict=True))

        signals: dict[str, QualitySignal] = {}
        for name in names:
            signals[name] = self._signal(name, window, tests.get(name), adjusted)
        return signals

    def _signal(
        self,
        name: str,
        window: ClosedWindow,
        test: TestResult | None,
        adjusted: Mapping[str, float],
    ) -> QualitySignal:
        config = self.config
        ref = self.reference.columns[name]
        column = window.columns.get(name)
        n_rows = column.n_rows if column else 0
        n_missing = column.n_missing if column else 0

        unseen: tuple[str, ...] = ()
        unseen_count, n_valid = 0, 0
        if isinstance(ref, CategoricalReference) and isinstance(
            column, CategoricalColumn
        ):
            unseen, unseen_count = unseen_categories(ref.counts, column.counts)
            n_valid = sum(column.counts.values())
        unseen_rate = unseen_count / n_valid if n_valid else 0.0

        p_corrected = adjusted.get(name)
        missing_alert = (
            test is not None
            and p_corrected is not None
            and p_corrected < config.alpha
            and abs(test.effect.value) > config.missing_ratio_threshold
        )
        return QualitySignal(
            feature=name,
            n_rows=n_rows,
            n_missing=n_missing,
            n_invalid=column.n_invalid if column else 0,
            missing_ratio=n_missing / n_rows if n_rows else 0.0,
            ref_missing_ratio=ref.n_missing / ref.n_rows if ref.n_rows else 0.0,
            missing_test=test,
            missing_p_corrected=p_corrected,
            missing_alert=missing_alert,
            unseen_categories=unseen[:MAX_UNSEEN_LISTED],
            unseen_count=unseen_count,
            unseen_rate=unseen_rate,
            unseen_alert=unseen_count > 0
            and unseen_rate > config.unseen_rate_threshold,
        )


def _window_reason(window: ClosedWindow, config: DriftConfig) -> str:
    if window.n_rows == 0:
        return "the window is empty"
    return (
        "no feature has enough valid values in the window "
        f"(min_window_size={config.min_window_size})"
    )
