"""The reference a window is compared with, built once and checkpointed.

A :class:`Reference` keeps, per column:

- numeric: a uniform random sample of at most ``sample_cap`` finite values
  (default 10,000), the decile edges and the sample's counts in those bins for
  PSI, and the row, missing and invalid counts of the whole reference;
- categorical: the count of every category, and the same row counts.

KS is exact against the reference while a feature has at most ``sample_cap``
valid values; beyond that it is exact against the sample, which is the price of a
bounded checkpoint. The sample is a bottom-k sample on seeded uniform keys, so it
does not depend on how the input was chunked, and the same input and seed give
the same reference. Decile edges and PSI proportions come from the sample too.
The sample is stored sorted and in the smallest dtype that holds it exactly (an
integer-valued feature stores as int8..int32, a float32-exact one as float32).

Pickled, a continuous float64 feature at the default cap takes about 80 KB (the
sample), a float32-exact one 40 KB, an integer-valued one 10 to 40 KB, and a
categorical one a few hundred bytes; 20 features (10 continuous, 10 categorical)
take about 0.8 MB. A checkpoint that must fit a 1 MB Kafka record with more
continuous features should lower ``sample_cap``, at the cost of KS exactness.

Categorical references keep every category; a high-cardinality column (an id)
should not be declared categorical, or its checkpoint grows with it.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from ...errors import ConfigError
from .columns import (
    CONFIDENCE,
    PREDICTION,
    CategoricalColumn,
    NumericColumn,
    column_types,
    to_categorical,
    to_numeric,
)
from .psi import bin_counts, decile_edges
from .results import FeatureType

__all__ = [
    "DEFAULT_SAMPLE_CAP",
    "CategoricalReference",
    "NumericReference",
    "Reference",
    "ReferenceBuilder",
]

DEFAULT_SAMPLE_CAP = 10_000


@dataclass(frozen=True, slots=True)
class NumericReference:
    """Sample, PSI bins and row counts of one numeric reference column."""

    sample: np.ndarray
    edges: np.ndarray
    bin_counts: np.ndarray
    n_rows: int
    n_missing: int
    n_invalid: int
    n_valid: int

    @property
    def values(self) -> np.ndarray:
        """The sample as float64, the dtype the tests run on."""
        return self.sample.astype(np.float64, copy=False)


@dataclass(frozen=True, slots=True)
class CategoricalReference:
    """Category counts and row counts of one categorical reference column."""

    counts: Mapping[str, int]
    n_rows: int
    n_missing: int
    n_invalid: int


@dataclass(frozen=True, slots=True)
class Reference:
    """Everything the evaluator needs from the reference; pickles small."""

    column_types: Mapping[str, FeatureType]
    columns: Mapping[str, NumericReference | CategoricalReference]
    n_rows: int
    sample_cap: int
    seed: int

    @property
    def feature_types(self) -> dict[str, FeatureType]:
        """The declared features, without the prediction and confidence columns."""
        reserved = (PREDICTION, CONFIDENCE)
        return {k: v for k, v in self.column_types.items() if k not in reserved}

    @classmethod
    def from_rows(
        cls,
        rows: Iterable[Mapping[str, object]],
        feature_types: Mapping[str, str],
        *,
        sample_cap: int = DEFAULT_SAMPLE_CAP,
        seed: int = 0,
    ) -> Reference:
        """Build a features-only reference from feature maps (file rows)."""
        builder = ReferenceBuilder(feature_types, sample_cap=sample_cap, seed=seed)
        for row in rows:
            builder.add(row)
        return builder.build()


class ReferenceBuilder:
    """Accumulates feature maps (file rows or the first N events) into a Reference.

    Parameters
    ----------
    feature_types
        Declared type per feature, ``"numeric"`` or ``"categorical"``.
    prediction_type
        Type of the predicted value, or None to not monitor it.
    track_confidence
        Whether to monitor the confidence (the maximum class probability).
    sample_cap
        Most numeric values kept per column, default 10,000.
    seed
        Seed of the sample; the same input and seed give the same reference.
    chunk_rows
        Rows buffered before they are folded into the sample; memory only.
    """

    def __init__(
        self,
        feature_types: Mapping[str, str],
        *,
        prediction_type: str | None = None,
        track_confidence: bool = False,
        sample_cap: int = DEFAULT_SAMPLE_CAP,
        seed: int = 0,
        chunk_rows: int = 65_536,
    ) -> None:
        if not isinstance(sample_cap, int) or sample_cap < 1:
            raise ConfigError(
                f"sample_cap must be a positive integer, not {sample_cap!r}",
                field="sample_cap",
            )
        if not isinstance(chunk_rows, int) or chunk_rows < 1:
            raise ConfigError(
                f"chunk_rows must be a positive integer, not {chunk_rows!r}",
                field="chunk_rows",
            )
        self.column_types = column_types(
            feature_types,
            prediction_type=prediction_type,
            track_confidence=track_confidence,
        )
        self._cap = sample_cap
        self._seed = seed
        self._chunk_rows = chunk_rows
        self._raw: dict[str, list[object]] = {n: [] for n in self.column_types}
        self._pending = 0
        self._n_rows = 0
        self._numeric = {
            n: _Reservoir(sample_cap, seed, n)
            for n, t in self.column_types.items()
            if t == "numeric"
        }
        self._categorical = {
            n: _Tally() for n, t in self.column_types.items() if t == "categorical"
        }

    def add(
        self,
        features: Mapping[str, object],
        *,
        prediction: object = None,
        confidence: object = None,
    ) -> ReferenceBuilder:
        """Add one feature map (and the model's outputs when they are monitored)."""
        for name, values in self._raw.items():
            if name == PREDICTION:
                values.append(prediction)
            elif name == CONFIDENCE:
                values.append(confidence)
            else:
                values.append(features.get(name))
        self._pending += 1
        if self._pending >= self._chunk_rows:
            self._fold()
        return self

    def build(self) -> Reference:
        """Return the reference of everything added so far."""
        self._fold()
        columns: dict[str, NumericReference | CategoricalReference] = {}
        for name, reservoir in self._numeric.items():
            columns[name] = reservoir.result()
        for name, tally in self._categorical.items():
            columns[name] = CategoricalReference(
                dict(tally.counts), tally.n_rows, tally.n_missing, tally.n_invalid
            )
        return Reference(
            column_types=dict(self.column_types),
            columns={n: columns[n] for n in self.column_types},
            n_rows=self._n_rows,
            sample_cap=self._cap,
            seed=self._seed,
        )

    def _fold(self) -> None:
        for name, values in self._raw.items():
            if name in self._numeric:
                self._numeric[name].add(to_numeric(values))
            else:
                self._categorical[name].add(to_categorical(values))
            values.clear()
        self._n_rows += self._pending
        self._pending = 0


class _Tally:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.n_rows = self.n_missing = self.n_invalid = 0

    def add(self, column: CategoricalColumn) -> None:
        self.counts.update(column.counts)
        self.n_rows += column.n_rows
        self.n_missing += column.n_missing
        self.n_invalid += column.n_invalid


class _Reservoir:
    """Bottom-k sample: every value gets a seeded uniform key, the k lowest stay."""

    def __init__(self, cap: int, seed: int, name: str) -> None:
        self._cap = cap
        self._rng = np.random.default_rng([seed, zlib.crc32(name.encode())])
        self._values = np.empty(0)
        self._keys = np.empty(0)
        self.n_rows = self.n_missing = self.n_invalid = self.n_valid = 0

    def add(self, column: NumericColumn) -> None:
        self.n_rows += column.n_rows
        self.n_missing += column.n_missing
        self.n_invalid += column.n_invalid
        self.n_valid += column.values.size

        values = np.concatenate([self._values, column.values])
        keys = np.concatenate([self._keys, self._rng.random(column.values.size)])
        if values.size > self._cap:
            keep = np.argpartition(keys, self._cap - 1)[: self._cap]
            values, keys = values[keep], keys[keep]
        self._values, self._keys = values, keys

    def result(self) -> NumericReference:
        sample = np.sort(self._values)
        if sample.size:
            edges = decile_edges(sample)
            counts = bin_counts(sample, edges)
        else:
            edges, counts = np.empty(0), np.zeros(1, dtype=np.int64)
        return NumericReference(
            sample=_compact(sample),
            edges=edges,
            bin_counts=counts,
            n_rows=self.n_rows,
            n_missing=self.n_missing,
            n_invalid=self.n_invalid,
            n_valid=self.n_valid,
        )


def _compact(sample: np.ndarray) -> np.ndarray:
    """Return ``sample`` in the smallest dtype that holds every value exactly."""
    if sample.size == 0:
        return sample
    if np.array_equal(sample, np.round(sample)):
        for dtype in (np.int8, np.int16, np.int32):
            info = np.iinfo(dtype)
            if info.min <= sample[0] and sample[-1] <= info.max:
                return sample.astype(dtype)
    if max(-sample[0], sample[-1]) > np.finfo(np.float32).max:
        return sample
    single = sample.astype(np.float32)
    if np.array_equal(single.astype(np.float64), sample):
        return single
    return sample
