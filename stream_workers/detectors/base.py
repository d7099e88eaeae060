"""The one detector contract, and the river wrapper the concept detectors share.

A detector is fed one value at a time with ``update(x)``, which returns the
detector; the outcome of that update is read from properties. Nothing is logged
and nothing is returned besides ``self``, so the worker decides what to do with a
signal and the state pickles as plain attributes.
"""

from __future__ import annotations

import abc
from typing import Any, ClassVar, Literal, Protocol, Self, runtime_checkable

from stream_workers.detectors.inputs import InputDomain, coerce_input
from stream_workers.detectors.params import check_float, check_int

__all__ = ["Detector", "DetectorKind", "InputField", "RiverDetector"]

DetectorKind = Literal["concept", "performance"]
"""``concept``: a change detector on the error stream; ``performance``: a metric."""

InputField = Literal["error", "correct"]
"""Which field of an outcome the detector is fed: its error, or whether it was right."""


@runtime_checkable
class Detector(Protocol):
    """What the worker relies on; every registered detector satisfies it.

    ``n_window`` counts the updates the current evidence covers: it drops back to
    1 on the update that starts a new stretch (after a reset or a closed window),
    which is how a caller knows where the stretch began.
    """

    name: ClassVar[str]
    kind: ClassVar[DetectorKind]
    input_field: ClassVar[InputField]

    def check_input(self, x: object) -> float: ...

    def update(self, x: object) -> Self: ...

    @property
    def drift_detected(self) -> bool: ...

    @property
    def warning_detected(self) -> bool: ...

    @property
    def statistic(self) -> float: ...

    @property
    def threshold(self) -> float | None: ...

    @property
    def n_seen(self) -> int: ...

    @property
    def n_window(self) -> int: ...

    @property
    def params(self) -> dict[str, object]: ...


class RiverDetector(abc.ABC):
    """Input guard, warm-up and reset-after-drift around one river detector.

    Subclasses build the river detector from their validated arguments and say how
    to read its statistic. After a drift, the next update starts from a fresh river
    detector (as river itself would) and a new warm-up, so one change gives one
    signal. Signals inside the warm-up are not reported; a drift river reports
    there still resets the detector, because it shows that the stream had not
    settled yet.

    Parameters
    ----------
    warmup
        Updates after each (re)start during which no signal is reported.
    binarize_at
        For detectors that take 0/1 or [0, 1] input (the others do not accept the
        argument): a value at or above it counts as an error (1), any other as 0.
        Unset, values outside the detector's domain are rejected.
    """

    name: ClassVar[str]
    kind: ClassVar[DetectorKind] = "concept"
    input_field: ClassVar[InputField] = "error"
    domain: ClassVar[InputDomain] = "real"
    _param_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *, warmup: int = 30, binarize_at: float | None = None) -> None:
        self.warmup = check_int(self.name, "warmup", warmup, minimum=0)
        if binarize_at is not None:
            binarize_at = check_float(self.name, "binarize_at", binarize_at)
        self.binarize_at = binarize_at

        self._river: Any = self._build()
        self._n_seen = 0
        self._n_window = 0
        self._raw_drift = False
        self._drift = False
        self._warning = False

    @abc.abstractmethod
    def _build(self) -> Any:
        """Return a fresh river detector made from this detector's arguments."""

    def _feed(self, value: float) -> None:
        self._river.update(value)

    def _reset(self) -> None:
        self._river = self._build()
        self._n_window = 0

    def check_input(self, x: object) -> float:
        """Return ``x`` as fed to river, or raise ``InvalidInputError``."""
        return coerce_input(
            x, domain=self.domain, detector=self.name, binarize_at=self.binarize_at
        )

    def update(self, x: object) -> Self:
        """Feed one value; a rejected value leaves the state as it was."""
        value = self.check_input(x)

        if self._raw_drift:
            self._reset()

        self._feed(value)
        self._n_seen += 1
        self._n_window += 1

        self._raw_drift = bool(self._river.drift_detected)
        armed = self._n_window > self.warmup
        raw_warning = bool(getattr(self._river, "warning_detected", False))
        self._drift = armed and self._raw_drift
        self._warning = armed and raw_warning and not self._raw_drift
        return self

    @property
    def drift_detected(self) -> bool:
        """Whether the last update confirmed a change."""
        return self._drift

    @property
    def warning_detected(self) -> bool:
        """Whether the last update is in the warning zone (never with a drift)."""
        return self._warning

    @property
    def n_seen(self) -> int:
        """Accepted updates since construction; resets do not clear it."""
        return self._n_seen

    @property
    def n_window(self) -> int:
        """Accepted updates since the last reset."""
        return self._n_window

    @property
    @abc.abstractmethod
    def statistic(self) -> float:
        """The quantity the detector watches, after the last update."""

    @property
    def threshold(self) -> float | None:
        """The value ``statistic`` is compared with; None when there is no one value."""
        return None

    @property
    def params(self) -> dict[str, object]:
        """The constructor arguments, for metrics labels and the effective config."""
        names = (*self._param_names, "warmup")
        if self.domain != "real":
            names = (*names, "binarize_at")
        return {name: getattr(self, name) for name in names}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{type(self).__name__}({args})"
