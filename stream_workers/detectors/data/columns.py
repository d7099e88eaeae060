"""Column-wise normalisation of raw feature values.

Windows and the reference buffer raw values in plain Python lists, one per
feature, and convert each list here once. A value is one of three things:

- **missing**: ``None``, a float NaN, or an absent key;
- **invalid**: for a numeric feature, a string that does not parse as a number,
  an infinity, or any other type; for a categorical one, an unhashable value;
- **valid**: everything else, normalised by the declared feature type.

Numeric features accept numbers, booleans (1.0 / 0.0) and numeric strings
(``"1.5"``). Categorical features turn every value into a string: ``1``, ``1.0``,
``"1"`` and ``True`` all become ``"1"`` (booleans and integers compare equal in
Python, so the mapping is made to agree with that), other floats use ``repr``.
A string ``"true"`` stays ``"true"``; that is a different category from ``True``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ...errors import ConfigError
from .results import FeatureType

__all__ = [
    "CONFIDENCE",
    "PREDICTION",
    "CategoricalColumn",
    "Column",
    "NumericColumn",
    "column_types",
    "confidence_of",
    "merge_columns",
    "to_categorical",
    "to_column",
    "to_numeric",
]


@dataclass(frozen=True, slots=True)
class NumericColumn:
    """Finite values of one numeric feature, with what was dropped and why."""

    values: np.ndarray
    n_rows: int
    n_missing: int
    n_invalid: int


@dataclass(frozen=True, slots=True)
class CategoricalColumn:
    """Category counts of one categorical feature, with what was dropped."""

    counts: Mapping[str, int]
    n_rows: int
    n_missing: int
    n_invalid: int


Column = NumericColumn | CategoricalColumn


def to_numeric(raw: Sequence[object]) -> NumericColumn:
    """Convert raw values to a :class:`NumericColumn`."""
    try:
        # Fast path: numbers, booleans, None (becomes NaN) and numeric strings.
        array = np.asarray(raw, dtype=np.float64).reshape(-1)
    except (ValueError, TypeError, OverflowError):
        array = np.fromiter((_to_float(v) for v in raw), np.float64, len(raw))

    missing = np.isnan(array)
    finite = np.isfinite(array)
    n_missing = int(np.count_nonzero(missing))
    n_invalid = int(array.size - n_missing - np.count_nonzero(finite))
    return NumericColumn(array[finite], len(raw), n_missing, n_invalid)


# What an unparseable value becomes: infinite, so it is counted as invalid.
_INVALID = math.inf


def _to_float(value: object) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool | int | float):
        try:
            return float(value)
        except OverflowError:
            return _INVALID
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return _INVALID
    return _INVALID


def to_categorical(raw: Sequence[object]) -> CategoricalColumn:
    """Convert raw values to a :class:`CategoricalColumn`."""
    n_invalid = 0
    try:
        raw_counts = Counter(raw)
    except TypeError:
        hashable = [v for v in raw if _is_hashable(v)]
        n_invalid = len(raw) - len(hashable)
        raw_counts = Counter(hashable)

    counts: dict[str, int] = {}
    n_missing = 0
    for value, n in raw_counts.items():
        category = _category(value)
        if category is None:
            n_missing += n
        else:
            counts[category] = counts.get(category, 0) + n
    return CategoricalColumn(counts, len(raw), n_missing, n_invalid)


def _is_hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _category(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def to_column(raw: Sequence[object], feature_type: FeatureType) -> Column:
    """Convert raw values by the declared feature type."""
    if feature_type == "numeric":
        return to_numeric(raw)
    return to_categorical(raw)


def merge_columns(columns: Iterable[Column], feature_type: FeatureType) -> Column:
    """Merge the columns of consecutive panes into one column."""
    parts = list(columns)
    n_rows = sum(c.n_rows for c in parts)
    n_missing = sum(c.n_missing for c in parts)
    n_invalid = sum(c.n_invalid for c in parts)
    if feature_type == "numeric":
        arrays = [c.values for c in parts if isinstance(c, NumericColumn)]
        values = np.concatenate(arrays) if arrays else np.empty(0)
        return NumericColumn(values, n_rows, n_missing, n_invalid)

    counts: Counter[str] = Counter()
    for c in parts:
        if isinstance(c, CategoricalColumn):
            counts.update(c.counts)
    return CategoricalColumn(dict(counts), n_rows, n_missing, n_invalid)


# Column names under which the predicted value and the confidence are kept next
# to the features; a feature may not use them.
PREDICTION = "__prediction__"
CONFIDENCE = "__confidence__"


def column_types(
    feature_types: Mapping[str, str],
    *,
    prediction_type: str | None = None,
    track_confidence: bool = False,
) -> dict[str, FeatureType]:
    """Return the validated column types: the features, then the model outputs.

    Raises :class:`ConfigError` when a type is not ``"numeric"`` or
    ``"categorical"`` or a feature uses a reserved column name.
    """
    allowed = ("numeric", "categorical")
    columns: dict[str, FeatureType] = {}
    for name, kind in feature_types.items():
        if name in (PREDICTION, CONFIDENCE):
            raise ConfigError(
                f"feature name {name!r} is reserved; rename the feature",
                field=f"feature_types[{name}]",
            )
        if kind not in allowed:
            raise ConfigError(
                f"feature type must be 'numeric' or 'categorical', not {kind!r}",
                field=f"feature_types[{name}]",
            )
        columns[name] = kind  # type: ignore[assignment]
    if prediction_type is not None:
        if prediction_type not in allowed:
            raise ConfigError(
                "prediction_type must be 'numeric', 'categorical' or None, "
                f"not {prediction_type!r}",
                field="prediction_type",
            )
        columns[PREDICTION] = prediction_type  # type: ignore[assignment]
    if track_confidence:
        columns[CONFIDENCE] = "numeric"
    return columns


def confidence_of(
    probabilities: Mapping[str, object] | Sequence[object] | None,
) -> float | None:
    """Return the largest finite class probability, or None when there is none.

    Accepts a map class -> probability or a list of probabilities, as events
    carry them; non-numeric entries are ignored rather than raised on.
    """
    if not probabilities:
        return None
    values = (
        probabilities.values() if isinstance(probabilities, Mapping) else probabilities
    )
    numbers = [
        float(v)
        for v in values
        if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    ]
    return max(numbers) if numbers else None
