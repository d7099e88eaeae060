"""The detectors of one model version (and segment), fed one outcome at a time.

A :class:`DetectorSet` is what the concept worker keeps per key and checkpoints
as pickled bytes. Each update validates the outcome for every detector first,
so a value one detector cannot take leaves all of them untouched; then it feeds
each detector the field it watches (``error`` or ``correct``), passes raw
detections through that detector's gates, and returns the alerts due. Warnings
are reported when a detector enters the warning zone, not on every update it
stays there. With ``outcome_id`` given, a redelivered outcome is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from stream_workers.detectors.base import Detector, DetectorKind
from stream_workers.detectors.dedupe import RecentIds
from stream_workers.detectors.gate import GateSettings, SignalGate
from stream_workers.detectors.registry import make_detector
from stream_workers.errors import ConfigError, InvalidInputError

__all__ = ["DEFAULT_DETECTORS", "DetectorSet", "DriftSignal", "SignalLevel"]

SignalLevel = Literal["warning", "drift"]

DEFAULT_DETECTORS: tuple[Mapping[str, object], ...] = (
    {"name": "adwin", "params": {}},
    {"name": "accuracy", "params": {}},
)
"""ADWIN on the error stream and windowed accuracy on ``correct``.

Chosen by ``benchmarks/detection.py``: with a frozen model on every shared stream,
ADWIN (clock 1) alone detected as many drifts as ADWIN + DDM with a quarter of the
false alarms (DDM fixes its best level from a few dozen rows and alarms early).
DDM, EDDM, HDDM, KSWIN, Page-Hinkley and FHDDM stay one configuration line away.
Windowed accuracy is a performance detector: it feeds the realised-accuracy gauge
and raises ``performance`` alerts, which the retrain policy judges separately.
"""

_SPEC_KEYS = ("name", "params", "label", "gate")


@dataclass(frozen=True, slots=True)
class DriftSignal:
    """One alert-worthy signal of one detector.

    ``index`` is the position of the outcome among those the set accepted (from
    0); ``window_start_ms`` and ``window_end_ms`` bound the event times of the
    stretch the evidence covers (since the detector's last reset, or the closed
    window); ``count`` is how many raw detections the gate folded into it.
    """

    detector: str
    algorithm: str
    kind: DetectorKind
    level: SignalLevel
    statistic: float
    threshold: float | None
    index: int
    n_seen: int
    n_window: int
    window_start_ms: int
    window_end_ms: int
    count: int


class _Slot:
    """One configured detector with its gates and the event-time span it covers."""

    def __init__(self, label: str, detector: Detector, gate: GateSettings) -> None:
        self.label = label
        self.detector = detector
        self.gates: dict[SignalLevel, SignalGate] = {
            "drift": SignalGate(gate),
            "warning": SignalGate(gate),
        }
        self.start_ms: int | None = None
        self.end_ms: int | None = None
        self.warned = False

    def track(self, time_ms: int) -> None:
        n = self.detector.n_window
        if n == 0:
            return
        if n == 1 or self.start_ms is None or self.end_ms is None:
            self.start_ms = self.end_ms = time_ms
            return
        self.start_ms = min(self.start_ms, time_ms)
        self.end_ms = max(self.end_ms, time_ms)


def _build_slot(spec: object, default_gate: GateSettings) -> _Slot:
    if not isinstance(spec, Mapping) or "name" not in spec:
        raise ConfigError(
            f"a detector entry must be a mapping with a `name`, got {spec!r}.",
            field="detectors",
        )
    unknown = sorted(str(key) for key in spec if key not in _SPEC_KEYS)
    if unknown:
        raise ConfigError(
            f"detector entry: unknown key(s) {', '.join(unknown)}; "
            f"accepted: {', '.join(_SPEC_KEYS)}.",
            field=f"detectors.{unknown[0]}",
        )

    name = spec["name"]
    detector = make_detector(name, spec.get("params"))
    label = spec.get("label", name)
    if not isinstance(label, str) or not label:
        raise ConfigError(
            f"{name}: `label` must be a non-empty string, got {label!r}.",
            field=f"{name}.label",
        )
    gate = spec.get("gate")
    settings = default_gate if gate is None else GateSettings.from_mapping(gate)
    return _Slot(label, detector, settings)


class DetectorSet:
    """The configured detectors of one model version, with gating and dedupe.

    Parameters
    ----------
    detectors
        Entries ``{"name": ..., "params": {...}}``, optionally with a ``label``
        (needed when one algorithm appears twice) and a per-detector ``gate``.
        Defaults to :data:`DEFAULT_DETECTORS`.
    gate
        Gate settings for every detector without its own.
    dedupe_capacity
        Outcome IDs remembered to skip redeliveries; None turns dedupe off.
    model_id
        Attached to the errors raised, for the DLQ headers and the log line.
    """

    def __init__(
        self,
        detectors: Iterable[Mapping[str, object]] | None = None,
        *,
        gate: GateSettings | Mapping[str, object] | None = None,
        dedupe_capacity: int | None = 4096,
        model_id: str | None = None,
    ) -> None:
        if not isinstance(gate, GateSettings):
            gate = GateSettings.from_mapping(gate)
        specs = DEFAULT_DETECTORS if detectors is None else tuple(detectors)
        if not specs:
            raise ConfigError("a detector set needs at least one detector.")

        self._slots = [_build_slot(spec, gate) for spec in specs]
        labels = [slot.label for slot in self._slots]
        duplicated = sorted({label for label in labels if labels.count(label) > 1})
        if duplicated:
            raise ConfigError(
                f"detector label(s) {', '.join(duplicated)} used twice; "
                "give each entry its own `label`.",
                field="detectors.label",
            )

        self.model_id = model_id
        self._ids = None if dedupe_capacity is None else RecentIds(dedupe_capacity)
        self._n_seen = 0
        self.n_redelivered = 0
        self.n_rejected = 0

    def update(
        self,
        error: float | int,
        *,
        event_time_ms: int,
        correct: bool | int | None = None,
        outcome_id: str | None = None,
    ) -> list[DriftSignal]:
        """Feed one outcome to every detector; return the alerts it makes due.

        Raises ``InvalidInputError`` (nothing fed, nothing remembered) when a value
        is not one some detector can take, or ``correct`` is missing while a
        detector watches it.
        """
        if outcome_id is not None and self._ids is not None and outcome_id in self._ids:
            self.n_redelivered += 1
            return []

        try:
            time_ms = self._check_time(event_time_ms)
            values = [self._input_for(slot, error, correct) for slot in self._slots]
        except InvalidInputError as exc:
            self.n_rejected += 1
            exc.model_id = exc.model_id or self.model_id
            raise

        if outcome_id is not None and self._ids is not None:
            self._ids.add(outcome_id)
        index = self._n_seen
        self._n_seen += 1

        signals: list[DriftSignal] = []
        for slot, value in zip(self._slots, values, strict=True):
            signals.extend(self._feed(slot, value, index, time_ms))
        return signals

    def _check_time(self, event_time_ms: object) -> int:
        if isinstance(event_time_ms, bool) or not isinstance(event_time_ms, int):
            raise InvalidInputError(
                f"event_time_ms must be an integer (epoch ms), got {event_time_ms!r}."
            )
        return event_time_ms

    def _input_for(self, slot: _Slot, error: object, correct: object) -> float:
        detector = slot.detector
        if detector.input_field == "error":
            return detector.check_input(error)

        if correct is None:
            raise InvalidInputError(
                f"{slot.label}: this detector needs `correct`; pass it, or configure "
                "mae or rmse for a regression model.",
                detector=slot.label,
            )
        return detector.check_input(correct)

    def _feed(
        self, slot: _Slot, value: float, index: int, time_ms: int
    ) -> list[DriftSignal]:
        detector = slot.detector
        detector.update(value)
        slot.track(time_ms)

        entered_warning = detector.warning_detected and not slot.warned
        slot.warned = detector.warning_detected

        signals = []
        raw: tuple[tuple[SignalLevel, bool], ...] = (
            ("drift", detector.drift_detected),
            ("warning", entered_warning),
        )
        for level, fired in raw:
            count = slot.gates[level].offer(fired, index=index, event_time_ms=time_ms)
            if count:
                signals.append(self._signal(slot, level, index, time_ms, count))
        return signals

    def _signal(
        self, slot: _Slot, level: SignalLevel, index: int, time_ms: int, count: int
    ) -> DriftSignal:
        detector = slot.detector
        return DriftSignal(
            detector=slot.label,
            algorithm=detector.name,
            kind=detector.kind,
            level=level,
            statistic=detector.statistic,
            threshold=detector.threshold,
            index=index,
            n_seen=detector.n_seen,
            n_window=detector.n_window,
            window_start_ms=time_ms if slot.start_ms is None else slot.start_ms,
            window_end_ms=time_ms if slot.end_ms is None else slot.end_ms,
            count=count,
        )

    @property
    def detectors(self) -> dict[str, Detector]:
        """The detectors by label, in configuration order (read them, do not feed)."""
        return {slot.label: slot.detector for slot in self._slots}

    @property
    def gates(self) -> dict[tuple[str, SignalLevel], SignalGate]:
        """The gates by (label, level)."""
        return {
            (slot.label, level): gate
            for slot in self._slots
            for level, gate in slot.gates.items()
        }

    @property
    def n_seen(self) -> int:
        """Outcomes accepted (redelivered and rejected ones excluded)."""
        return self._n_seen
