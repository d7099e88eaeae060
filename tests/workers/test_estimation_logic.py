"""Label-free estimation without a broker: windows, sums, reliability map, messages."""

from __future__ import annotations

import pickle

import pytest
from pydantic import ValidationError

from stream_workers.config.concept import ConceptConfig, EstimationConfig
from stream_workers.config.models import DriftlineConfig
from stream_workers.config.settings import TopicSettings
from stream_workers.workers.concept import input_topics
from stream_workers.workers.estimation import estimation_enabled
from stream_workers.workers.estimation_output import (
    estimated_alert,
    estimated_alert_id,
    window_record,
)
from stream_workers.workers.estimation_state import (
    OutcomeWindows,
    PredictionWindows,
    ReliabilityMap,
    WindowSums,
    closable,
    merge_sums,
    watermark,
    window_start,
)

HOUR = 3_600_000


def sums_of(confidences: list[float], bins: int) -> WindowSums:
    sums = WindowSums.empty(bins)
    for c in confidences:
        sums.add(c)
    return sums


def test_window_start_floors_event_time_to_the_window() -> None:
    assert window_start(7_250_000, HOUR) == 7_200_000
    assert window_start(HOUR - 1, HOUR) == 0
    assert window_start(HOUR, HOUR) == HOUR


def test_window_start_refuses_a_non_positive_window() -> None:
    with pytest.raises(ValueError, match="window_ms"):
        window_start(5, 0)


def test_window_closes_only_once_event_time_passes_end_plus_lateness() -> None:
    assert not closable(0, 1_000, 100, 1_099)
    assert closable(0, 1_000, 100, 1_100)


def test_watermark_is_the_slowest_partitions_event_time() -> None:
    fast, slow = PredictionWindows(), PredictionWindows()
    fast.add(5 * HOUR, 0.9, HOUR, 10)
    slow.add(2 * HOUR, 0.9, HOUR, 10)

    assert watermark([fast, slow]) == 2 * HOUR
    assert watermark([]) == -1


def test_window_sums_count_confidence_and_bins() -> None:
    sums = sums_of([0.8, 0.6, 0.4, 1.0], bins=2)

    assert (sums.count, sums.bins) == (4, [1, 3])
    assert sums.confidence_sum == pytest.approx(2.8)
    assert sums.confidence_mean == pytest.approx(0.7)


def test_merge_sums_adds_partitions_shares() -> None:
    merged = merge_sums([sums_of([0.8], 2), sums_of([0.2, 0.6], 2)])

    assert merged is not None
    assert (merged.count, merged.bins) == (3, [1, 2])
    assert merged.confidence_sum == pytest.approx(1.6)


def test_merge_sums_with_different_bin_counts_drops_the_bins() -> None:
    merged = merge_sums([sums_of([0.8], 2), sums_of([0.6], 4)])

    assert merged is not None
    assert (merged.count, merged.bins) == (2, [])


def test_merge_sums_of_nothing_is_none() -> None:
    assert merge_sums([]) is None


def test_reliability_map_without_labels_is_the_identity() -> None:
    reliability = ReliabilityMap(bins=10, prior=20.0)

    assert reliability.calibrate(0.73) == pytest.approx(0.73)
    assert reliability.estimate(sums_of([0.9, 0.6], 10)) == pytest.approx(0.75)


def test_reliability_map_moves_an_overconfident_bin_to_its_accuracy() -> None:
    # 100 labels at 0.9 with 70 right: gap -0.2, shrunk by 20 pseudo-labels to
    # -20/120 = -1/6.
    exact, shrunk = ReliabilityMap(bins=10, prior=0.0), ReliabilityMap(bins=10)
    for i in range(100):
        exact.observe(0.9, i < 70)
        shrunk.observe(0.9, i < 70)

    assert exact.calibrate(0.9) == pytest.approx(0.7)
    assert exact.calibrate(0.95) == pytest.approx(0.75)
    assert shrunk.calibrate(0.9) == pytest.approx(0.9 - 1 / 6)
    assert exact.calibrate(0.45) == pytest.approx(0.45)
    assert exact.labels == 100


def test_reliability_map_estimate_weights_each_bins_shift_by_its_count() -> None:
    # Bin 1 ([0.5, 1]): 4 labels at 0.8, 2 right -> shift (2 - 3.2) / 4 = -0.3.
    # Window 0.8, 0.6, 0.4: (1.8 + 2 * -0.3) / 3 = 0.4.
    reliability = ReliabilityMap(bins=2, prior=0.0)
    for correct in (True, True, False, False):
        reliability.observe(0.8, correct)

    assert reliability.estimate(sums_of([0.8, 0.6, 0.4], 2)) == pytest.approx(0.4)


def test_reliability_map_estimate_is_clipped_to_one() -> None:
    reliability = ReliabilityMap(bins=2, prior=0.0)
    for _ in range(10):
        reliability.observe(0.55, True)

    assert reliability.estimate(sums_of([0.99, 0.99], 2)) == 1.0


def test_reliability_map_with_memory_forgets_old_labels() -> None:
    # After 1000 wrong then 1000 right at 0.9 with memory 10, the wrong ones
    # weigh 0.9 ** 1000 of the right ones: the bin reads 100 % accurate.
    reliability = ReliabilityMap(bins=10, prior=0.0, memory=10)
    for correct in [False] * 1000 + [True] * 1000:
        reliability.observe(0.9, correct)

    assert reliability.calibrate(0.9) == pytest.approx(1.0, abs=1e-6)
    assert sum(reliability.weight) == pytest.approx(10.0, rel=1e-6)


def test_reliability_map_refuses_windows_with_other_bins() -> None:
    with pytest.raises(ValueError, match="calibration_bins"):
        ReliabilityMap(bins=10).estimate(sums_of([0.9], 4))


def test_reliability_map_refuses_zero_bins() -> None:
    with pytest.raises(ValueError, match="bins"):
        ReliabilityMap(bins=0)


def test_reliability_map_survives_a_pickle_round_trip() -> None:
    reliability = ReliabilityMap(bins=4, prior=5.0, memory=100)
    reliability.observe(0.7, False)

    restored = pickle.loads(pickle.dumps(reliability))

    assert restored == reliability
    assert restored.calibrate(0.7) == reliability.calibrate(0.7)


def test_prediction_windows_count_per_window_and_prune_old_ones() -> None:
    state = PredictionWindows()
    starts = [state.add(t, 0.8, HOUR, 10) for t in (10, HOUR + 5, HOUR + 9)]
    state.closed[0] = 0.8

    state.prune(HOUR)

    assert starts == [0, HOUR, HOUR]
    assert (list(state.sums), state.closed) == ([HOUR], {})
    assert state.sums[HOUR].count == 2
    assert state.stream_time_ms == HOUR + 9


def test_outcome_windows_count_labels_and_skip_settled_windows() -> None:
    state = OutcomeWindows(ReliabilityMap())
    state.add(10, HOUR, True, True)
    state.add(20, HOUR, True, False)
    state.add(30, HOUR, False, None)
    state.settled.add(HOUR)

    state.add(HOUR + 1, HOUR, True, True)

    assert state.realised == {0: [2, 1, 1]}


def test_estimation_is_off_by_default_and_validated() -> None:
    assert ConceptConfig().estimation == EstimationConfig()
    assert not EstimationConfig().enabled
    with pytest.raises(ValidationError):
        EstimationConfig(threshold=1.5)


def test_concept_worker_reads_predictions_only_when_a_model_estimates() -> None:
    topics = TopicSettings(prefix="p-")
    plain = DriftlineConfig()
    one = DriftlineConfig.model_validate(
        {"models": {"m1": {"concept": {"estimation": {"enabled": True}}}}}
    )

    assert not estimation_enabled(plain)
    assert estimation_enabled(one)
    assert input_topics(topics, plain) == ["p-outcomes"]
    assert input_topics(topics, one) == ["p-outcomes", "p-predictions"]


def test_estimated_alert_names_the_window_and_keeps_its_id_per_window() -> None:
    cfg = EstimationConfig(enabled=True, window_ms=HOUR, threshold=0.7)
    sums = sums_of([0.6] * 40, 10)
    record = {
        "estimated": 0.6,
        "confidence_mean": 0.6,
        "calibration_labels": 0,
        "prediction_partitions": 2,
    }

    alert = estimated_alert("m1", "v1", HOUR, sums, cfg, record)

    assert alert.alert_id == estimated_alert_id("m1", "v1", HOUR)
    assert alert.alert_id != estimated_alert_id("m1", "v1", 2 * HOUR)
    assert (alert.kind, alert.detector, alert.severity) == (
        "estimated",
        "cbpe",
        "warning",
    )
    assert (alert.statistic, alert.threshold) == (0.6, 0.7)
    assert alert.window.first_event_time_ms == HOUR
    assert alert.window.last_event_time_ms == 2 * HOUR - 1
    assert alert.window.count == 40
    assert alert.detected_at_ms == 2 * HOUR + cfg.allowed_lateness_ms


def test_window_record_carries_the_window_bounds_and_fields() -> None:
    cfg = EstimationConfig(enabled=True, window_ms=HOUR)

    record = window_record("m1", "v1", 0, sums_of([0.9], 10), cfg, {"stage": "x"})

    assert record == {
        "model_id": "m1",
        "model_version": "v1",
        "window_start_ms": 0,
        "window_end_ms": HOUR,
        "predictions": 1,
        "stage": "x",
    }
