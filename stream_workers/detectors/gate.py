"""Alert gating: N-of-M confirmation and a cooldown, per detector and level.

A detector reports what it sees; the gate decides what becomes an alert. A raw
detection is *confirmed* once ``confirm_n`` raw detections fall within the last
``confirm_m`` updates (1-of-1 by default: every detection). A confirmed
detection is *emitted* unless the last emission is fewer than
``cooldown_events`` updates or ``cooldown_ms`` of event time ago. Detections
that are not emitted are carried into the count of the next emitted one. The
gate only counts and compares, so it is deterministic and pickles as is. Event
time going backwards (out-of-order outcomes) counts as inside a time cooldown.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, fields

from stream_workers.detectors.params import check_int
from stream_workers.errors import ConfigError

__all__ = ["GateSettings", "SignalGate"]


@dataclass(frozen=True, slots=True)
class GateSettings:
    """How a raw detection becomes an alert; the defaults pass every detection."""

    cooldown_events: int = 0
    cooldown_ms: int = 0
    confirm_n: int = 1
    confirm_m: int = 1

    def __post_init__(self) -> None:
        check_int("gate", "cooldown_events", self.cooldown_events, minimum=0)
        check_int("gate", "cooldown_ms", self.cooldown_ms, minimum=0)
        check_int("gate", "confirm_n", self.confirm_n, minimum=1)
        check_int("gate", "confirm_m", self.confirm_m, minimum=self.confirm_n)

    @classmethod
    def from_mapping(cls, data: Mapping[str, object] | None) -> GateSettings:
        """Build from configuration, rejecting unknown keys."""
        data = {} if data is None else data
        if not isinstance(data, Mapping):
            raise ConfigError(
                f"gate: settings must be a mapping, got {data!r}.", field="gate"
            )

        names = [f.name for f in fields(cls)]
        unknown = sorted(str(key) for key in data if key not in names)
        if unknown:
            raise ConfigError(
                f"gate: unknown setting(s) {', '.join(unknown)}; "
                f"accepted: {', '.join(names)}.",
                field=f"gate.{unknown[0]}",
            )
        return cls(**data)  # type: ignore[arg-type]


class SignalGate:
    """Turns raw detections of one detector at one level into alerts."""

    def __init__(self, settings: GateSettings | None = None) -> None:
        self.settings = GateSettings() if settings is None else settings
        self._recent: deque[int] = deque(maxlen=self.settings.confirm_n)
        self._held = 0
        self._last_index: int | None = None
        self._last_time_ms: int | None = None
        self.n_raw = 0
        self.n_emitted = 0

    def offer(self, fired: bool, *, index: int, event_time_ms: int) -> int:
        """Offer the outcome of one update.

        Returns the number of raw detections the alert stands for (this one and
        those held back since the last alert), or 0 when no alert is due.
        """
        if not fired:
            return 0

        self.n_raw += 1
        self._held += 1
        self._recent.append(index)
        if not self._confirmed(index) or self._cooling(index, event_time_ms):
            return 0

        count, self._held = self._held, 0
        self._recent.clear()
        self._last_index, self._last_time_ms = index, event_time_ms
        self.n_emitted += 1
        return count

    def _confirmed(self, index: int) -> bool:
        settings = self.settings
        if len(self._recent) < settings.confirm_n:
            return False
        return index - self._recent[0] < settings.confirm_m

    def _cooling(self, index: int, event_time_ms: int) -> bool:
        if self._last_index is None or self._last_time_ms is None:
            return False

        settings = self.settings
        by_events = index - self._last_index < settings.cooldown_events
        since_ms = event_time_ms - self._last_time_ms
        by_time = settings.cooldown_ms > 0 and since_ms < settings.cooldown_ms
        return by_events or by_time

    @property
    def n_held(self) -> int:
        """Raw detections waiting to be counted into the next alert."""
        return self._held
