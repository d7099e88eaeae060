"""Detector configurations under test: ours through ``DetectorSet``, river's raw.

A configuration is built fresh for every run and reduced to one callable, fed
one 0/1 error and answering whether a drift alert is due. Ours go through the
same :class:`~stream_workers.detectors.DetectorSet` the concept worker uses
(warm-up, reset after drift, gate), so the benchmark measures the product.
River's detectors run with their default settings as the reference; FHDDM is fed
the *correct* flag, since river's FHDDM signals only on a fall of its input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from stream_workers.detectors import DEFAULT_DETECTORS, DetectorSet

__all__ = [
    "CANDIDATES",
    "Configuration",
    "RIVER_DEFAULTS",
    "SINGLES",
    "ours",
    "river_default",
]

Feed = Callable[[int], bool]
Source = Literal["ours", "river"]


@dataclass(frozen=True)
class Configuration:
    """A named detector configuration and how to build a fresh instance of it."""

    label: str
    source: Source
    build: Callable[[], Feed]
    specs: tuple[Mapping[str, object], ...] = ()

    def describe(self) -> str:
        """The detectors and their parameters, for the report."""
        if self.source == "river":
            return f"river {self.label.removeprefix('river:')} (defaults)"
        parts = []
        for spec in self.specs:
            params = spec.get("params") or {}
            assert isinstance(params, Mapping)
            args = ", ".join(f"{k}={v}" for k, v in params.items())
            parts.append(f"{spec['name']}({args})")
        return " + ".join(parts)


def ours(label: str, specs: Sequence[Mapping[str, object]]) -> Configuration:
    """Our detectors in one ``DetectorSet``; a concept drift signal is an alert.

    Performance detectors (windowed accuracy) answer another question, on whole
    windows, and are not scored as concept-drift detections.
    """
    frozen = tuple(specs)

    def build() -> Feed:
        detectors = DetectorSet(frozen, dedupe_capacity=None)
        index = 0

        def feed(error: int) -> bool:
            nonlocal index
            signals = detectors.update(error, event_time_ms=index, correct=1 - error)
            index += 1
            return any(s.level == "drift" and s.kind == "concept" for s in signals)

        return feed

    return Configuration(label, "ours", build, frozen)


def river_default(name: str) -> Configuration:
    """One of river's detectors with river's default settings."""

    def build() -> Feed:
        from river import drift
        from river.drift import binary

        factories = {
            "ADWIN": drift.ADWIN,
            "DDM": binary.DDM,
            "EDDM": binary.EDDM,
            "HDDM_A": binary.HDDMA,
            "HDDM_W": binary.HDDMW,
            "FHDDM": binary.FHDDM,
            "PageHinkley": drift.PageHinkley,
            "KSWIN": drift.KSWIN,
        }
        detector = factories[name]()
        flip = name == "FHDDM"

        def feed(error: int) -> bool:
            detector.update(1 - error if flip else error)
            return bool(detector.drift_detected)

        return feed

    return Configuration(f"river:{name}", "river", build)


DEFAULT = ours("default", DEFAULT_DETECTORS)
"""The concept worker's default set: ADWIN (clock 1) and windowed accuracy."""

RIVER_DEFAULTS = tuple(
    river_default(name)
    for name in ("ADWIN", "DDM", "EDDM", "HDDM_A", "HDDM_W", "FHDDM", "PageHinkley")
)
"""River's reference detectors. KSWIN is left out: 0.35 ms per update."""

SINGLES = tuple(
    ours(name, [{"name": name, "params": {}}])
    for name in ("adwin", "ddm", "eddm", "hddm_a", "hddm_w", "fhddm", "page_hinkley")
)
"""Each of our concept detectors alone, with our defaults."""

CANDIDATES = (
    DEFAULT,
    ours("adwin_only", [{"name": "adwin", "params": {}}]),
    ours("adwin+ddm", [{"name": "adwin", "params": {}}, {"name": "ddm", "params": {}}]),
    ours(
        "adwin+ddm_ws1000",
        [{"name": "adwin"}, {"name": "ddm", "params": {"warm_start": 1000}}],
    ),
    ours("hddm_a", [{"name": "hddm_a", "params": {}}]),
)
"""Whole configurations competing to be the default (the first is the current)."""
