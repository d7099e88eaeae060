"""Labelled streams with drifts at known positions, loaded once and kept in memory.

The shared files are read by path from ``../shared/data/`` beside the
repository (gzip, never copied); river's generators make the synthetic ones,
with drifts placed by ``ConceptDriftStream``. Positions are 0-based row indices
of the first row of the new concept. A stream also says how many of its first
rows the frozen model of protocol (a) is trained on: half of the first concept,
so that the other half is monitored as stationary ground.
"""

from __future__ import annotations

import csv
import gzip
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

__all__ = [
    "DEFAULT_DATA_DIR",
    "LabelledStream",
    "Row",
    "read_arff_gz",
    "read_csv_gz",
    "shared_streams",
    "stationary_stream",
    "synthetic_streams",
]

Row = tuple[dict[str, float], object]
DriftShape = Literal["abrupt", "gradual", "none"]

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data"
"""``../shared/data`` beside the repository."""

ABRUPT_DELAY = 250
"""Acceptable delay for abrupt drifts, in rows (the literature's usual value)."""

GRADUAL_DELAY = 2_500
"""Acceptable delay for a gradual drift, from its start (INSECTS) or centre."""


@dataclass
class LabelledStream:
    """A stream of ``(features, label)`` rows and where its concept changes."""

    name: str
    drifts: tuple[int, ...]
    max_delay: int
    shape: DriftShape
    train_rows: int
    make_rows: Callable[[], Iterable[Row]] = field(repr=False)
    origin: str = ""
    lead: int = 0
    _rows: list[Row] | None = field(default=None, repr=False)

    @property
    def rows(self) -> list[Row]:
        """All rows, read or generated on first use."""
        if self._rows is None:
            self._rows = list(self.make_rows())
        return self._rows


def _number(text: str) -> float:
    if text in ("True", "False"):
        return 1.0 if text == "True" else 0.0
    return float(text)


def read_csv_gz(path: Path, *, header: bool) -> Iterator[Row]:
    """Rows of a gzip CSV file whose last column is the label."""
    with gzip.open(path, "rt", newline="") as handle:
        reader = csv.reader(handle)
        names = next(reader)[:-1] if header else None
        for values in reader:
            if not values:
                continue
            keys = names or [f"x{i}" for i in range(len(values) - 1)]
            yield dict(zip(keys, map(float, values[:-1]), strict=True)), values[-1]


def read_arff_gz(path: Path) -> Iterator[Row]:
    """Rows of a gzip ARFF file (dense data, last attribute the label)."""
    names: list[str] = []
    with gzip.open(path, "rt") as handle:
        for line in handle:
            text = line.strip()
            if text.lower().startswith("@attribute"):
                names.append(text.split()[1])
            if text.lower() == "@data":
                break
        for values in csv.reader(handle):
            if values and not values[0].startswith("%"):
                features = map(_number, values[:-1])
                yield dict(zip(names[:-1], features, strict=True)), values[-1]


def shared_streams(data_dir: Path = DEFAULT_DATA_DIR) -> list[LabelledStream]:
    """SEA, Sine1, Mixed and INSECTS gradual from the shared data folder."""
    tornado = "Tornado streams of the FHDDM paper, transition width 50"
    quarters = (20_000, 40_000, 60_000, 80_000)
    return [
        LabelledStream(
            "sea",
            (12_500, 25_000, 37_500),
            ABRUPT_DELAY,
            "abrupt",
            6_250,
            lambda: read_csv_gz(data_dir / "sea_street_kim_50k.csv.gz", header=True),
            "Street and Kim, 10 % label noise",
        ),
        LabelledStream(
            "sine1",
            quarters,
            ABRUPT_DELAY,
            "abrupt",
            10_000,
            lambda: read_arff_gz(data_dir / "tornado_sine1_w_50_n_0.1_101.arff.gz"),
            tornado,
        ),
        LabelledStream(
            "mixed",
            quarters,
            ABRUPT_DELAY,
            "abrupt",
            10_000,
            lambda: read_arff_gz(data_dir / "tornado_mixed_w_50_n_0.1_101.arff.gz"),
            tornado,
        ),
        LabelledStream(
            "insects_gradual",
            (14_028,),
            GRADUAL_DELAY,
            "gradual",
            7_000,
            lambda: read_csv_gz(
                data_dir / "insects_gradual_balanced.csv.gz", header=False
            ),
            "Souza et al. 2020, gradual from 14,028",
            lead=500,
        ),
    ]


def _abrupt(
    concepts: Sequence[Iterable[Row]], drifts: tuple[int, ...], n_rows: int
) -> Iterable[Row]:
    """Concept ``i + 1`` from row ``drifts[i]`` on, switched at once.

    River's ``ConceptDriftStream`` cannot place an abrupt drift far into a stream:
    its sigmoid overflows ``math.exp`` once ``4 * position / width`` passes about
    709 (``OverflowError``), so abrupt changes are cut here instead.
    """
    bounds = (0, *drifts, n_rows)
    parts = [
        itertools.islice(concept, high - low)
        for concept, low, high in zip(concepts, bounds, bounds[1:], strict=False)
    ]
    return itertools.chain.from_iterable(parts)


def synthetic_streams(seed: int = 7) -> list[LabelledStream]:
    """River generators: SEA and STAGGER abrupt, Agrawal gradual (width 1,000)."""
    from river.datasets import synth

    def sea() -> Iterable[Row]:
        concepts = [synth.SEA(variant=v, noise=0.1, seed=seed + v) for v in range(4)]
        return _abrupt(concepts, (25_000, 50_000, 75_000), 100_000)

    def stagger() -> Iterable[Row]:
        concepts = [
            synth.STAGGER(classification_function=f, seed=seed) for f in (0, 1, 2)
        ]
        return _abrupt(concepts, (10_000, 20_000), 30_000)

    def agrawal() -> Iterable[Row]:
        concepts = [
            synth.Agrawal(classification_function=f, perturbation=0.05, seed=seed + f)
            for f in (0, 4)
        ]
        from river.datasets.synth import ConceptDriftStream

        # River counts positions from 1: row 30,000 is the centre of the change.
        drifting = ConceptDriftStream(
            concepts[0], concepts[1], position=30_001, width=1_000, seed=seed
        )
        return itertools.islice(drifting, 60_000)

    river_origin = "river.datasets.synth with ConceptDriftStream"
    return [
        LabelledStream(
            "river_sea",
            (25_000, 50_000, 75_000),
            ABRUPT_DELAY,
            "abrupt",
            12_500,
            sea,
            river_origin,
        ),
        LabelledStream(
            "river_stagger",
            (10_000, 20_000),
            ABRUPT_DELAY,
            "abrupt",
            5_000,
            stagger,
            river_origin,
        ),
        LabelledStream(
            "river_agrawal_gradual",
            (30_000,),
            GRADUAL_DELAY,
            "gradual",
            15_000,
            agrawal,
            river_origin + ", width 1,000 centred on the position",
            lead=500,
        ),
    ]


def stationary_stream(n_rows: int, seed: int = 11) -> LabelledStream:
    """Agrawal function 0 with 5 % perturbation and no drift: false alarms only."""
    from river.datasets import synth

    def rows() -> Iterable[Row]:
        source = synth.Agrawal(classification_function=0, perturbation=0.05, seed=seed)
        return source.take(n_rows)

    return LabelledStream(
        f"stationary_{n_rows // 1000}k",
        (),
        ABRUPT_DELAY,
        "none",
        min(20_000, n_rows // 10),
        rows,
        "river Agrawal, no drift",
    )
