"""The retrain policy as pure logic on alert event time: rules, gates, dedupe."""

from __future__ import annotations

from typing import Any

import pytest

from stream_workers.config.retrain import RetrainConfig
from stream_workers.retrain.policy import (
    ModelState,
    RetrainPolicy,
    decision_id,
    manual_decision,
)
from stream_workers.workers.alerting import alert_id
from tests.retrain.factories import DAY, HOUR, MIN, T0, alert


def policy(**settings: Any) -> RetrainPolicy:
    base: dict[str, Any] = {"cooldown_s": 0, "daily_budget": None}
    return RetrainPolicy(RetrainConfig(**{**base, **settings}))


def decide_all(p: RetrainPolicy, state: ModelState, alerts: list[Any]) -> list[Any]:
    decisions = []
    for i, a in enumerate(alerts):
        d = p.decide(state, a, ident=str(i))
        if d.triggered:
            p.settle(state, d, succeeded=True)
        decisions.append(d)
    return decisions


def test_critical_drift_triggers_with_a_decision_id_from_model_rule_and_alerts() -> (
    None
):
    p, state = policy(), ModelState()

    d = p.decide(state, alert("a1", severity="critical"), ident="0")

    assert d.outcome == "triggered"
    assert d.rule == "severity"
    assert d.alert_ids == ("a1",)
    assert d.decided_at_ms == T0
    assert d.decision_id == alert_id("retrain", "m1", "severity", "a1")
    assert "critical concept drift" in d.reason


def test_warning_drift_below_min_severity_is_suppressed_by_rule() -> None:
    p, state = policy(min_severity="critical"), ModelState()

    d = p.decide(state, alert("a1", severity="warning"), ident="0")

    assert d.outcome == "suppressed_rule"
    assert d.rule == "no_rule"


def test_severity_rule_ignores_alert_kinds_not_listed() -> None:
    p, state = policy(severity_kinds=("concept",)), ModelState()

    d = p.decide(state, alert("a1", kind="data"), ident="0")

    assert d.outcome == "suppressed_rule"


def test_accuracy_below_threshold_triggers_on_performance_alert() -> None:
    p, state = policy(min_severity=None, accuracy_below=0.8), ModelState()

    low = p.decide(
        state,
        alert("a1", kind="performance", detector="accuracy", statistic=0.72),
        ident="0",
    )
    high = p.decide(
        state,
        alert("a2", kind="performance", detector="accuracy", statistic=0.85),
        ident="1",
    )

    assert (low.outcome, low.rule) == ("triggered", "accuracy")
    assert low.reason == "accuracy 0.72 below 0.8"
    assert high.outcome == "suppressed_rule"


def test_declining_trend_over_k_windows_triggers_on_the_kth_decline() -> None:
    p, state = policy(min_severity=None, trend_windows=3), ModelState()
    accuracies = [0.90, 0.88, 0.85, 0.81]
    alerts = [
        alert(
            f"a{i}",
            kind="performance",
            detector="accuracy",
            severity="warning",
            statistic=acc,
            at_ms=T0 + i * HOUR,
        )
        for i, acc in enumerate(accuracies)
    ]

    decisions = decide_all(p, state, alerts)

    assert [d.outcome for d in decisions] == ["suppressed_rule"] * 3 + ["triggered"]
    assert decisions[-1].rule == "trend"


def test_trend_broken_by_one_better_window_does_not_trigger() -> None:
    p, state = policy(min_severity=None, trend_windows=3), ModelState()
    accuracies = [0.90, 0.88, 0.89, 0.85]
    alerts = [
        alert(f"a{i}", kind="performance", statistic=acc, at_ms=T0 + i * HOUR)
        for i, acc in enumerate(accuracies)
    ]

    decisions = decide_all(p, state, alerts)

    assert all(d.outcome == "suppressed_rule" for d in decisions)


def test_trend_on_an_error_metric_reads_rising_values_as_decline() -> None:
    p, state = policy(min_severity=None, trend_windows=2), ModelState()
    errors = [1.0, 1.5, 2.25]
    alerts = [
        alert(
            f"a{i}",
            kind="performance",
            detector="mae",
            statistic=e,
            at_ms=T0 + i * HOUR,
        )
        for i, e in enumerate(errors)
    ]

    decisions = decide_all(p, state, alerts)

    assert [d.outcome for d in decisions][-1] == "triggered"
    assert decisions[-1].rule == "trend"


def test_estimated_performance_below_threshold_triggers() -> None:
    p, state = policy(min_severity=None, estimated_below=0.75), ModelState()

    d = p.decide(state, alert("a1", kind="estimated", statistic=0.7), ident="0")

    assert (d.outcome, d.rule) == ("triggered", "estimated")


def test_min_confirming_alerts_waits_for_the_second_alert_and_names_both() -> None:
    p, state = policy(min_confirming_alerts=2, confirm_window_s=600), ModelState()

    first = p.decide(state, alert("a1", at_ms=T0), ident="0")
    second = p.decide(state, alert("a2", at_ms=T0 + 5 * MIN), ident="1")

    assert (first.outcome, first.rule) == ("suppressed_rule", "confirmation")
    assert "1 of 2 confirming alerts" in first.reason
    assert second.outcome == "triggered"
    assert second.alert_ids == ("a1", "a2")
    assert second.decision_id == decision_id("m1", "severity", ["a2", "a1"])


def test_confirming_alerts_older_than_the_window_do_not_count() -> None:
    p, state = policy(min_confirming_alerts=2, confirm_window_s=600), ModelState()

    p.decide(state, alert("a1", at_ms=T0), ident="0")
    late = p.decide(state, alert("a2", at_ms=T0 + 11 * MIN), ident="1")

    assert late.rule == "confirmation"


def test_cooldown_suppresses_until_it_has_passed() -> None:
    p, state = policy(cooldown_s=2 * 3600), ModelState()
    alerts = [
        alert("a1", at_ms=T0),
        alert("a2", at_ms=T0 + HOUR),
        alert("a3", at_ms=T0 + 2 * HOUR),
    ]

    decisions = decide_all(p, state, alerts)

    assert [d.outcome for d in decisions] == [
        "triggered",
        "suppressed_cooldown",
        "triggered",
    ]
    assert "another 3600 s" in decisions[1].reason


def test_failed_trigger_does_not_start_the_cooldown_or_use_the_budget() -> None:
    p, state = policy(cooldown_s=3600, daily_budget=1), ModelState()

    first = p.decide(state, alert("a1", at_ms=T0), ident="0")
    p.settle(state, first, succeeded=False)
    second = p.decide(state, alert("a2", at_ms=T0 + MIN), ident="1")

    assert second.outcome == "triggered"


def test_daily_budget_suppresses_the_third_trigger_and_resets_next_utc_day() -> None:
    p, state = policy(daily_budget=2), ModelState()
    alerts = [
        alert("a1", at_ms=T0 + HOUR),
        alert("a2", at_ms=T0 + 2 * HOUR),
        alert("a3", at_ms=T0 + 3 * HOUR),
        alert("a4", at_ms=T0 + DAY),
    ]

    decisions = decide_all(p, state, alerts)

    assert [d.outcome for d in decisions] == [
        "triggered",
        "triggered",
        "suppressed_budget",
        "triggered",
    ]


def test_repeated_alert_id_is_suppressed_as_duplicate_with_its_own_decision_id() -> (
    None
):
    p, state = policy(), ModelState()

    first = p.decide(state, alert("a1"), ident="0")
    again = p.decide(state, alert("a1"), ident="7")

    assert first.outcome == "triggered"
    assert (again.outcome, again.rule) == ("suppressed_dedupe", "dedupe")
    assert again.decision_id == alert_id("retrain", "m1", "dedupe", "a1", "7")
    assert again.decision_id != first.decision_id


def test_decision_id_taken_before_is_suppressed_as_duplicate() -> None:
    p, state = policy(remember_alerts=1), ModelState()
    taken = p.decide(state, alert("a1"), ident="0")
    p.settle(state, taken, succeeded=True)
    p.decide(state, alert("a2", severity="info"), ident="1")  # evicts a1

    again = p.decide(state, alert("a1"), ident="2")

    assert (again.outcome, again.rule) == ("suppressed_dedupe", "dedupe")
    assert again.reason == f"decision {taken.decision_id} was taken before"


def test_disabled_retraining_suppresses_everything() -> None:
    p, state = policy(enabled=False), ModelState()

    d = p.decide(state, alert("a1"), ident="0")

    assert (d.outcome, d.rule) == ("suppressed_rule", "disabled")


def test_same_alerts_replayed_on_a_copy_of_the_state_give_the_same_decisions() -> None:
    p = policy(cooldown_s=3600, min_confirming_alerts=2)
    alerts = [alert(f"a{i}", at_ms=T0 + i * 20 * MIN) for i in range(6)]

    first = decide_all(p, ModelState(), alerts)
    replay = decide_all(p, ModelState(), alerts)

    assert first == replay


def test_manual_decision_id_is_stable_within_a_minute() -> None:
    a = manual_decision("m1", "new data", now_ms=T0 + 1_000)
    b = manual_decision("m1", "new data", now_ms=T0 + 59_000)
    c = manual_decision("m1", "new data", now_ms=T0 + 61_000)

    assert a.decision_id == b.decision_id != c.decision_id
    assert (a.rule, a.outcome) == ("manual", "triggered")


@pytest.mark.parametrize(
    "bad",
    [
        {"actions": [{"type": "webhook", "url": "ftp://x"}]},
        {"actions": [{"type": "airflow", "base_url": "http://x", "username": "u"}]},
        {"min_confirming_alerts": 0},
        {"accuracy_below": 1.5},
    ],
)
def test_invalid_retrain_settings_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        RetrainConfig.model_validate(bad)
