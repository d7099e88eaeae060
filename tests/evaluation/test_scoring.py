"""Scoring detections against known drift positions, on hand-made lists."""

from __future__ import annotations

import pytest

from stream_workers.evaluation.scoring import score_detections


def test_first_detection_in_each_window_is_true_with_its_delay() -> None:
    # Arrange: drifts at 1000 and 2000, detections 40 and 120 rows after them.
    detections = [1040, 2120]

    # Act
    score = score_detections(detections, [1000, 2000], max_delay=250, end=3000)

    # Assert
    assert (score.detected, score.missed, score.false_alarms) == (2, 0, 0)
    assert score.delays == (40, 120)
    assert score.mean_delay == 80.0
    assert score.median_delay == 80.0


def test_detection_after_the_acceptable_delay_is_a_false_alarm_and_a_miss() -> None:
    score = score_detections([1250], [1000], max_delay=250, end=3000)

    assert (score.detected, score.missed, score.false_alarms) == (0, 1, 1)
    assert score.mean_delay is None


def test_second_detection_in_one_window_is_redundant_not_a_false_alarm() -> None:
    score = score_detections([1010, 1100, 500], [1000], max_delay=250, end=3000)

    assert (score.detected, score.redundant, score.false_alarms) == (1, 1, 1)


def test_false_alarm_rate_counts_only_rows_outside_windows() -> None:
    # 10,000 monitored rows, one window of 250: 9,750 stationary rows, 3 alarms.
    score = score_detections(
        [2000, 4000, 6000], [5000], max_delay=250, start=1000, end=11_000
    )

    assert score.stationary_rows == 9_750
    assert score.false_alarms_per_100k == pytest.approx(3 * 100_000 / 9_750)


def test_window_is_cut_short_by_the_next_drift() -> None:
    # Drifts 100 rows apart: a detection 150 rows after the first belongs to the
    # second, with delay 50.
    score = score_detections([1150], [1000, 1100], max_delay=250, end=3000)

    assert score.delays == (50,)
    assert score.missed == 1


def test_lead_admits_an_early_detection_of_a_gradual_drift_with_zero_delay() -> None:
    early = score_detections([9_800], [10_000], max_delay=2_500, end=20_000, lead=500)
    strict = score_detections([9_800], [10_000], max_delay=2_500, end=20_000)

    assert (early.detected, early.delays, early.false_alarms) == (1, (0,), 0)
    assert (strict.detected, strict.false_alarms) == (0, 1)


def test_drifts_before_the_monitored_start_are_not_counted() -> None:
    score = score_detections([], [500, 5000], max_delay=250, start=1000, end=9000)

    assert (score.drifts, score.missed) == (1, 1)


def test_detection_outside_the_monitored_rows_is_rejected() -> None:
    with pytest.raises(ValueError, match="detections must lie"):
        score_detections([50], [1000], max_delay=250, start=100, end=3000)
