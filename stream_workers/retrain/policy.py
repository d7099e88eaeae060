"""The retrain policy: from one alert and a model's state to one decision.

Pure logic, no I/O. The steps for each alert are:

1. an alert ID already seen is a duplicate (``suppressed_dedupe``);
2. the rules, in order: accuracy below a threshold, a declining trend over the
   last K performance windows, an estimated performance below a threshold, drift
   severity; no match is ``suppressed_rule``;
3. a matching alert waits for ``min_confirming_alerts`` within ``confirm_window_s``
   (``suppressed_rule``, rule ``confirmation``);
4. the cooldown since the last trigger (``suppressed_cooldown``), then the UTC
   day's budget (``suppressed_budget``);
5. a decision ID decided before (``suppressed_dedupe``); else ``triggered``.

Time is the alerts' event time (``detected_at_ms``), so a replay takes the same
decisions with the same IDs. A triggered decision starts the cooldown and uses the
budget only when :meth:`RetrainPolicy.settle` is told its actions succeeded, so a
failed one leaves the next alert free to try again.

Limits: the trend rule sees only the windows that produced performance alerts,
and reads ``mae`` and ``rmse`` as lower-is-better, every other metric as
higher-is-better.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Literal

from stream_workers.config.retrain import RetrainConfig
from stream_workers.messages.models import DriftAlert
from stream_workers.workers.alerting import alert_id

__all__ = [
    "Decision",
    "ModelState",
    "Outcome",
    "RetrainPolicy",
    "decision_id",
    "manual_decision",
]

Outcome = Literal[
    "triggered",
    "suppressed_cooldown",
    "suppressed_budget",
    "suppressed_dedupe",
    "suppressed_rule",
    "failed",
]

DAY_MS = 86_400_000
_SEVERITY_RANK = {"info": 0, "warning": 1, "critical": 2}
_LOWER_IS_BETTER = frozenset({"mae", "rmse"})


def decision_id(model_id: str, rule: str, alert_ids: list[str]) -> str:
    """A deterministic decision ID: the model, the rule and the sorted alert IDs."""
    return alert_id("retrain", model_id, rule, *sorted(alert_ids))


@dataclass
class ModelState:
    """What the policy remembers per model; pickled into the retrain changelog."""

    seen_alerts: OrderedDict[str, None] = field(default_factory=OrderedDict)
    decided: OrderedDict[str, None] = field(default_factory=OrderedDict)
    pending: list[tuple[str, int, str]] = field(default_factory=list)
    windows: list[tuple[int, float]] = field(default_factory=list)
    stream_time_ms: int = 0
    last_trigger_ms: int | None = None
    budget_day: int = -1
    budget_used: int = 0


@dataclass(frozen=True)
class Decision:
    """One decision of the policy, before any action ran."""

    decision_id: str
    model_id: str
    model_version: str | None
    outcome: Outcome
    rule: str
    reason: str
    alert_ids: tuple[str, ...]
    decided_at_ms: int

    @property
    def triggered(self) -> bool:
        return self.outcome == "triggered"


class RetrainPolicy:
    """The policy of one model, as configured in its ``retrain`` section."""

    def __init__(self, config: RetrainConfig) -> None:
        self.config = config

    # -- deciding --------------------------------------------------------------
    def decide(self, state: ModelState, alert: DriftAlert, *, ident: str) -> Decision:
        """Decide on one alert, updating ``state``; ``ident`` names this record."""
        now = max(state.stream_time_ms, alert.detected_at_ms)
        state.stream_time_ms = now
        if alert.alert_id in state.seen_alerts:
            return self._suppress(
                alert,
                now,
                "suppressed_dedupe",
                "dedupe",
                f"alert {alert.alert_id} was decided on before",
                extra=ident,
            )
        self._remember(state.seen_alerts, alert.alert_id)

        if not self.config.enabled:
            return self._suppress(
                alert, now, "suppressed_rule", "disabled", "retraining is disabled"
            )
        rule, why = self._match(state, alert)
        if rule is None:
            return self._suppress(alert, now, "suppressed_rule", "no_rule", why)

        window_ms = int(self.config.confirm_window_s * 1000)
        state.pending = [p for p in state.pending if now - p[1] <= window_ms]
        state.pending.append((alert.alert_id, alert.detected_at_ms, rule))
        needed = self.config.min_confirming_alerts
        if len(state.pending) < needed:
            return self._suppress(
                alert,
                now,
                "suppressed_rule",
                "confirmation",
                f"{why}; {len(state.pending)} of {needed} confirming alerts "
                f"within {self.config.confirm_window_s:g} s",
            )
        return self._gate(state, alert, now, rule, why)

    def _gate(
        self, state: ModelState, alert: DriftAlert, now: int, rule: str, why: str
    ) -> Decision:
        ids = [p[0] for p in state.pending]
        cooldown_ms = int(self.config.cooldown_s * 1000)
        if state.last_trigger_ms is not None and now - state.last_trigger_ms < (
            cooldown_ms
        ):
            left_s = (state.last_trigger_ms + cooldown_ms - now) / 1000
            return self._suppress(
                alert,
                now,
                "suppressed_cooldown",
                "cooldown",
                f"{why}; in cooldown for another {left_s:g} s",
            )

        budget = self.config.daily_budget
        used = state.budget_used if state.budget_day == now // DAY_MS else 0
        if budget is not None and used >= budget:
            return self._suppress(
                alert,
                now,
                "suppressed_budget",
                "budget",
                f"{why}; daily budget of {budget} triggers used",
            )

        ident = decision_id(alert.model_id, rule, ids)
        if ident in state.decided:
            return self._suppress(
                alert,
                now,
                "suppressed_dedupe",
                "dedupe",
                f"decision {ident} was taken before",
            )
        return Decision(
            ident,
            alert.model_id,
            alert.model_version,
            "triggered",
            rule,
            why,
            tuple(ids),
            now,
        )

    def settle(self, state: ModelState, decision: Decision, *, succeeded: bool) -> None:
        """Record a triggered decision once its actions ran."""
        self._remember(state.decided, decision.decision_id)
        state.pending = []
        if not succeeded:
            return
        day = decision.decided_at_ms // DAY_MS
        if state.budget_day != day:
            state.budget_day, state.budget_used = day, 0
        state.budget_used += 1
        state.last_trigger_ms = decision.decided_at_ms

    # -- the rules -------------------------------------------------------------
    def _match(self, state: ModelState, alert: DriftAlert) -> tuple[str | None, str]:
        """The first rule the alert satisfies and why, or None and why not."""
        cfg = self.config
        if alert.kind == "performance":
            higher_is_better = alert.detector not in _LOWER_IS_BETTER
            self._add_window(state, alert)
            limit = cfg.accuracy_below
            if limit is not None and higher_is_better and alert.statistic < limit:
                return "accuracy", f"accuracy {alert.statistic:g} below {limit:g}"
            if cfg.trend_windows and self._declining(state, higher_is_better):
                return "trend", (
                    f"{alert.detector} worse in each of the last "
                    f"{cfg.trend_windows} windows"
                )
        if alert.kind == "estimated" and cfg.estimated_below is not None:
            if alert.statistic < cfg.estimated_below:
                return "estimated", (
                    f"estimated performance {alert.statistic:g} below "
                    f"{cfg.estimated_below:g}"
                )
        if (
            cfg.min_severity is not None
            and alert.kind in cfg.severity_kinds
            and _SEVERITY_RANK[alert.severity] >= _SEVERITY_RANK[cfg.min_severity]
        ):
            return "severity", (
                f"{alert.severity} {alert.kind} drift from {alert.detector}"
            )
        return None, f"{alert.severity} {alert.kind} alert matches no retrain rule"

    def _add_window(self, state: ModelState, alert: DriftAlert) -> None:
        end = alert.window.last_event_time_ms
        windows = [w for w in state.windows if w[0] != end]
        windows.append((end, alert.statistic))
        windows.sort()
        state.windows = windows[-(self.config.trend_windows + 1) :]

    def _declining(self, state: ModelState, higher_is_better: bool) -> bool:
        values = [w[1] for w in state.windows]
        if len(values) <= self.config.trend_windows:
            return False
        pairs = zip(values, values[1:], strict=False)
        if higher_is_better:
            return all(b < a for a, b in pairs)
        return all(b > a for a, b in pairs)

    # -- helpers ---------------------------------------------------------------
    def _remember(self, seen: OrderedDict[str, None], ident: str) -> None:
        seen[ident] = None
        while len(seen) > self.config.remember_alerts:
            seen.popitem(last=False)

    def _suppress(
        self,
        alert: DriftAlert,
        now: int,
        outcome: Outcome,
        rule: str,
        reason: str,
        *,
        extra: str = "",
    ) -> Decision:
        ident = alert_id("retrain", alert.model_id, rule, alert.alert_id, extra)
        return Decision(
            ident,
            alert.model_id,
            alert.model_version,
            outcome,
            rule,
            reason,
            (alert.alert_id,),
            now,
        )


def manual_decision(
    model_id: str,
    reason: str,
    *,
    now_ms: int,
    model_version: str | None = None,
    ident: str | None = None,
) -> Decision:
    """A decision taken by hand: no rule, cooldown or budget applies.

    Without ``ident`` the ID derives from the model, the reason and the UTC minute,
    so repeating the same command within a minute is the same decision.
    """
    minute = now_ms // 60_000
    ident = ident or alert_id("retrain", model_id, "manual", reason, minute)
    return Decision(
        ident, model_id, model_version, "triggered", "manual", reason, (), now_ms
    )
