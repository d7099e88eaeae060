"""Turn per-window drift verdicts into alerts that are raised once.

A drifted feature usually stays drifted for many windows; alerting on each would
repeat the same news. :class:`DriftLatch` keeps one latched flag per key:

- a key that drifts while unlatched raises one alert and latches;
- while latched, further drifted windows raise nothing;
- the latch re-arms after ``rearm_after`` consecutive windows with
  ``drift=False`` for that key; an untested window (``None``) neither re-arms
  nor breaks the run of clean windows.

The latch is a plain object that pickles, so it can sit in the worker's state.
"""

from __future__ import annotations

from collections.abc import Mapping

from ...errors import ConfigError

__all__ = ["DriftLatch"]


class DriftLatch:
    """Per-key alert latch with re-arming after clean windows.

    Parameters
    ----------
    rearm_after
        Consecutive ``drift=False`` windows that re-arm a latched key. Default 1.
    """

    def __init__(self, rearm_after: int = 1) -> None:
        if not isinstance(rearm_after, int) or rearm_after < 1:
            raise ConfigError(
                f"rearm_after must be a positive integer, not {rearm_after!r}",
                field="rearm_after",
            )
        self.rearm_after = rearm_after
        self._clean_runs: dict[str, int] = {}

    @property
    def latched(self) -> frozenset[str]:
        """Keys that have alerted and not re-armed yet."""
        return frozenset(self._clean_runs)

    def update(self, states: Mapping[str, bool | None]) -> tuple[str, ...]:
        """Feed one window's verdicts; return the keys that alert now."""
        raised: list[str] = []
        for key, drift in states.items():
            if drift is None:
                continue
            if drift:
                if key not in self._clean_runs:
                    raised.append(key)
                self._clean_runs[key] = 0
            elif key in self._clean_runs:
                self._clean_runs[key] += 1
                if self._clean_runs[key] >= self.rearm_after:
                    del self._clean_runs[key]
        return tuple(raised)
