"""Judge a current data set against a reference, feature by feature."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from stream_workers.detectors.data import (
    ClosedWindow,
    DataDriftEvaluator,
    DriftConfig,
    FeatureType,
    Reference,
    WindowReport,
    to_categorical,
    to_numeric,
)
from stream_workers.errors import ConfigError

__all__ = ["DriftReport", "build_report", "infer_types"]

Row = Mapping[str, object]


@dataclass(frozen=True)
class DriftReport:
    """What the HTML shows: the verdicts and the raw columns behind the plots."""

    title: str
    reference_name: str
    current_name: str
    n_reference: int
    n_current: int
    config: DriftConfig
    window: WindowReport
    reference_values: Mapping[str, list[object]]
    current_values: Mapping[str, list[object]]


def _is_number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return False
        return True
    return False


def infer_types(
    rows: Sequence[Row],
    *,
    categorical: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> dict[str, FeatureType]:
    """Feature types from the rows: numeric when every present value is a number.

    Columns in ``categorical`` are categorical whatever they hold; columns in
    ``exclude`` (identifiers, timestamps) are left out.
    """
    names: dict[str, None] = {}
    for row in rows[:1000]:
        names.update(dict.fromkeys(row))
    types: dict[str, FeatureType] = {}
    for name in names:
        if name in exclude:
            continue
        present = [r.get(name) for r in rows if r.get(name) not in (None, "")]
        numeric = name not in categorical and all(_is_number(v) for v in present)
        types[name] = "numeric" if numeric and present else "categorical"
    unknown = sorted(set(categorical) - set(names))
    if unknown:
        raise ConfigError(
            f"categorical column(s) {', '.join(unknown)} are not in the data; "
            f"columns are {', '.join(names)}"
        )
    return types


def _column(values: list[object], feature_type: FeatureType) -> object:
    if feature_type == "numeric":
        return to_numeric([_as_float(v) for v in values])
    return to_categorical(values)


def _as_float(value: object) -> object:
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        try:
            return float(value)
        except ValueError:
            return value
    return value


def build_report(
    reference: Sequence[Row],
    current: Sequence[Row],
    feature_types: Mapping[str, FeatureType],
    *,
    config: DriftConfig | None = None,
    title: str = "Data drift report",
    reference_name: str = "reference",
    current_name: str = "current",
) -> DriftReport:
    """Evaluate ``current`` against ``reference`` under ``config``."""
    if not feature_types:
        raise ConfigError("no feature to compare; check --exclude and the data")
    config = config or DriftConfig()
    types = list(feature_types.items())
    ref_values = {n: [r.get(n) for r in reference] for n in feature_types}
    cur_values = {n: [r.get(n) for r in current] for n in feature_types}

    typed_ref = [
        {n: _as_float(r.get(n)) if t == "numeric" else r.get(n) for n, t in types}
        for r in reference
    ]
    ref = Reference.from_rows(
        typed_ref, dict(feature_types), sample_cap=max(len(reference), 1)
    )
    columns = {n: _column(cur_values[n], t) for n, t in feature_types.items()}
    window = ClosedWindow(0, len(current), len(current), columns)  # type: ignore[arg-type]
    verdicts = DataDriftEvaluator(ref, config).evaluate(window)
    return DriftReport(
        title=title,
        reference_name=reference_name,
        current_name=current_name,
        n_reference=len(reference),
        n_current=len(current),
        config=config,
        window=verdicts,
        reference_values=ref_values,
        current_values=cur_values,
    )


def finite_floats(values: Sequence[object]) -> list[float]:
    """The finite numbers among raw values (strings parsed), for plotting."""
    out = []
    for v in values:
        f = _as_float(v)
        if isinstance(f, int | float) and not isinstance(f, bool):
            if math.isfinite(float(f)):
                out.append(float(f))
    return out
