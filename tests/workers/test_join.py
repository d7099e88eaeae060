"""The join worker against the real broker: orders, expiry, duplicates, DLQ."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stream_workers.config.settings import (
    JoinSettings,
    KafkaSettings,
    TopicSettings,
    WorkerSettings,
)
from stream_workers.kafka.partitioning import partition_for
from stream_workers.workers import join
from tests.workers.harness import produce, read_all, running, values, wait_for

pytestmark = pytest.mark.kafka

T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z
MIN = 60_000


def on(part: int, name: str) -> str:
    """``name`` with the first suffix that murmur2 sends to ``part`` of 4."""
    for k in range(1000):
        candidate = f"{name}.{k}"
        if partition_for(candidate.encode(), 4) == part:
            return candidate
    raise AssertionError("no key found")


def prediction(rid: str, t: int, pred: Any = 1, **extra: Any) -> dict[str, Any]:
    return {
        "request_id": rid,
        "model_id": "m1",
        "model_version": "v1",
        "event_time_ms": t,
        "features": {"x": 1.0, "c": "a"},
        "prediction": pred,
        "probabilities": {"0": 0.2, "1": 0.8},
        **extra,
    }


def label(rid: str, t: int, value: Any = 1) -> dict[str, Any]:
    return {"request_id": rid, "event_time_ms": t, "label": value}


def run_join(
    kafka: KafkaSettings,
    topics: TopicSettings,
    tmp_path: Path,
    *,
    instance: str = "a",
    ttl_s: float = 7200.0,
) -> Any:
    return running(
        join.main,
        settings=JoinSettings(
            prediction_ttl_s=ttl_s, label_ttl_s=ttl_s, marker_ttl_s=ttl_s
        ),
        kafka=kafka,
        topics=topics,
        worker=WorkerSettings(
            instance_id=instance, state_dir=tmp_path, poll_timeout_s=0.1
        ),
    )


def outcome_count(registry: Any, order: str) -> float:
    value = registry.get_sample_value(
        "driftline_join_outcomes_total", {"model": "m1", "order": order}
    )
    return value or 0.0


def test_join_label_after_prediction_is_emitted_once_with_delay_and_correctness(
    kafka_settings: KafkaSettings, topic_settings: TopicSettings, tmp_path: Path
) -> None:
    produce(
        kafka_settings,
        topic_settings.name("predictions"),
        [("r1", prediction("r1", T0))],
    )
    produce(
        kafka_settings,
        topic_settings.name("labels"),
        [("r1", label("r1", T0 + 5 * MIN, 0))],
    )

    with run_join(kafka_settings, topic_settings, tmp_path) as registry:
        wait_for(lambda: outcome_count(registry, "label_after") == 1)
    [outcome] = values(
        read_all(kafka_settings, topic_settings.name("outcomes"), expected=1)
    )

    assert outcome["request_id"] == "r1"
    assert outcome["labeled"] is True
    assert outcome["correct"] is False
    assert outcome["error"] == 1.0
    assert outcome["confidence"] == 0.8
    assert outcome["label_delay_ms"] == 5 * MIN
    assert outcome["prediction_time_ms"] == T0
    assert "features" not in outcome


def test_join_label_before_prediction_waits_and_is_emitted_once(
    kafka_settings: KafkaSettings, topic_settings: TopicSettings, tmp_path: Path
) -> None:
    with run_join(kafka_settings, topic_settings, tmp_path) as registry:
        produce(
            kafka_settings,
            topic_settings.name("labels"),
            [("r2", label("r2", T0, "1"))],
        )
        wait_for(lambda: pending(registry, "label") == 1)
        produce(
            kafka_settings,
            topic_settings.name("predictions"),
            [("r2", prediction("r2", T0 + 1000))],
        )
        wait_for(lambda: outcome_count(registry, "label_before") == 1)
    outcomes = values(
        read_all(kafka_settings, topic_settings.name("outcomes"), expected=1)
    )

    assert [(o["request_id"], o["correct"]) for o in outcomes] == [("r2", True)]


def test_case_32_late_and_missing_labels_by_event_time(
    kafka_settings: KafkaSettings, topic_settings: TopicSettings, tmp_path: Path
) -> None:
    P1_ID = on(0, "P1")
    P2_ID = on(0, "P2")
    # Case 32: a 2 h window; P1 at 0 and P2 at 60 s; L1 at +50 min; L2 at +3 h.
    preds, labs = topic_settings.name("predictions"), topic_settings.name("labels")
    produce(
        kafka_settings,
        preds,
        [(P1_ID, prediction(P1_ID, T0)), (P2_ID, prediction(P2_ID, T0 + MIN))],
        partition=0,
    )
    produce(kafka_settings, labs, [(P1_ID, label(P1_ID, T0 + 50 * MIN))], partition=0)

    with run_join(kafka_settings, topic_settings, tmp_path) as registry:
        wait_for(lambda: outcome_count(registry, "label_after") == 1)
        produce(
            kafka_settings, labs, [(P2_ID, label(P2_ID, T0 + 180 * MIN))], partition=0
        )
        wait_for(lambda: outcome_count(registry, "unlabeled") == 1)
        late = registry.get_sample_value("driftline_join_late_labels_total")
        expired = registry.get_sample_value(
            "driftline_join_expired_total", {"side": "prediction"}
        )
    outcomes = values(
        read_all(kafka_settings, topic_settings.name("outcomes"), expected=2)
    )
    late_records = values(
        read_all(kafka_settings, topic_settings.name("late_labels"), expected=1)
    )

    assert sorted((o["request_id"], o["labeled"]) for o in outcomes) == [
        (P1_ID, True),
        (P2_ID, False),
    ]
    assert [r["request_id"] for r in late_records] == [P2_ID]
    assert late == 1.0
    assert expired == 1.0


def pending(registry: Any, side: str) -> float:
    value = registry.get_sample_value("driftline_join_pending_records", {"side": side})
    return value or 0.0


def pending_predictions(registry: Any) -> float:
    return pending(registry, "prediction")


def test_prediction_expires_unlabeled_once_labels_move_past_its_deadline(
    kafka_settings: KafkaSettings, topic_settings: TopicSettings, tmp_path: Path
) -> None:
    OLD_ID = on(1, "old")
    NEW_ID = on(1, "new")
    preds, labs = topic_settings.name("predictions"), topic_settings.name("labels")
    produce(kafka_settings, preds, [(OLD_ID, prediction(OLD_ID, T0))], partition=1)

    with run_join(kafka_settings, topic_settings, tmp_path, ttl_s=600) as registry:
        wait_for(lambda: pending_predictions(registry) == 1)
        # Predictions moving on alone prove nothing about old's label: it waits.
        produce(
            kafka_settings,
            preds,
            [(NEW_ID, prediction(NEW_ID, T0 + 11 * MIN))],
            partition=1,
        )
        wait_for(lambda: pending_predictions(registry) == 2)
        assert outcome_count(registry, "unlabeled") == 0
        # A label 11 min later shows the label stream has passed old's deadline.
        produce(
            kafka_settings, labs, [(NEW_ID, label(NEW_ID, T0 + 11 * MIN))], partition=1
        )
        wait_for(lambda: outcome_count(registry, "unlabeled") == 1)
    outcomes = values(
        read_all(kafka_settings, topic_settings.name("outcomes"), expected=2)
    )

    assert sorted((o["request_id"], o["labeled"]) for o in outcomes) == [
        (NEW_ID, True),
        (OLD_ID, False),
    ]
    unlabeled = [o for o in outcomes if not o["labeled"]][0]
    assert "correct" not in unlabeled and "error" not in unlabeled


def test_prediction_expires_after_two_ttls_when_no_label_arrives_at_all(
    kafka_settings: KafkaSettings, topic_settings: TopicSettings, tmp_path: Path
) -> None:
    OLD_ID = on(3, "old")
    MID_ID = on(3, "mid")
    LATE_ID = on(3, "late")
    preds = topic_settings.name("predictions")
    produce(kafka_settings, preds, [(OLD_ID, prediction(OLD_ID, T0))], partition=3)

    with run_join(kafka_settings, topic_settings, tmp_path, ttl_s=600) as registry:
        wait_for(lambda: pending_predictions(registry) == 1)
        produce(
            kafka_settings,
            preds,
            [(MID_ID, prediction(MID_ID, T0 + 19 * MIN))],
            partition=3,
        )
        wait_for(lambda: pending_predictions(registry) == 2)
        assert outcome_count(registry, "unlabeled") == 0
        produce(
            kafka_settings,
            preds,
            [(LATE_ID, prediction(LATE_ID, T0 + 21 * MIN))],
            partition=3,
        )
        wait_for(lambda: outcome_count(registry, "unlabeled") == 1)
    outcomes = values(
        read_all(kafka_settings, topic_settings.name("outcomes"), expected=1)
    )

    assert [(o["request_id"], o["labeled"]) for o in outcomes] == [(OLD_ID, False)]


def test_labels_read_ahead_of_their_predictions_still_join(
    kafka_settings: KafkaSettings, topic_settings: TopicSettings, tmp_path: Path
) -> None:
    # A backlog: all labels (event times up to +1 h) are consumed before the
    # predictions they belong to; a 10 min TTL must not expire them early.
    preds, labs = topic_settings.name("predictions"), topic_settings.name("labels")
    n = 60
    produce(
        kafka_settings,
        labs,
        [
            (on(0, f"b{i}"), label(on(0, f"b{i}"), T0 + i * MIN + 1000))
            for i in range(n)
        ],
        partition=0,
    )

    with run_join(kafka_settings, topic_settings, tmp_path, ttl_s=600) as registry:
        wait_for(lambda: pending(registry, "label") == n)
        produce(
            kafka_settings,
            preds,
            [
                (on(0, f"b{i}"), prediction(on(0, f"b{i}"), T0 + i * MIN))
                for i in range(n)
            ],
            partition=0,
        )
        wait_for(lambda: outcome_count(registry, "label_before") == n)

    assert outcome_count(registry, "unlabeled") == 0


def test_duplicate_prediction_and_duplicate_label_yield_one_outcome(
    kafka_settings: KafkaSettings, topic_settings: TopicSettings, tmp_path: Path
) -> None:
    preds, labs = topic_settings.name("predictions"), topic_settings.name("labels")
    produce(
        kafka_settings,
        preds,
        [("d1", prediction("d1", T0)), ("d1", prediction("d1", T0))],
    )
    produce(
        kafka_settings, labs, [("d1", label("d1", T0 + 1)), ("d1", label("d1", T0 + 2))]
    )
    produce(kafka_settings, preds, [("d1", prediction("d1", T0 + 3))])

    with run_join(kafka_settings, topic_settings, tmp_path) as registry:
        wait_for(
            lambda: (
                sum(
                    registry.get_sample_value(
                        "driftline_records_consumed_total",
                        {"worker": "join", "topic": t},
                    )
                    or 0
                    for t in (preds, labs)
                )
                == 5
            )
        )
        dup_p = registry.get_sample_value(
            "driftline_join_duplicates_total", {"side": "prediction"}
        )
        dup_l = registry.get_sample_value(
            "driftline_join_duplicates_total", {"side": "label"}
        )
    outcomes = read_all(kafka_settings, topic_settings.name("outcomes"))

    assert len(outcomes) == 1
    assert (dup_p, dup_l) == (2.0, 1.0)


def test_malformed_records_in_each_input_go_to_their_dlq_and_neighbours_join(
    kafka_settings: KafkaSettings, topic_settings: TopicSettings, tmp_path: Path
) -> None:
    A_ID = on(2, "a")
    B_ID = on(2, "b")
    C_ID = on(2, "c")
    BAD_ID = on(2, "bad")
    preds, labs = topic_settings.name("predictions"), topic_settings.name("labels")
    produce(
        kafka_settings,
        preds,
        [
            (A_ID, prediction(A_ID, T0)),
            (BAD_ID, b"\x00\xffnot-json"),
            (B_ID, prediction(B_ID, T0)),
        ],
        partition=2,
    )
    produce(
        kafka_settings,
        labs,
        [
            (A_ID, label(A_ID, T0 + 1)),
            (C_ID, {"request_id": C_ID, "label": 1}),
            (B_ID, label(B_ID, T0 + 1)),
        ],
        partition=2,
    )

    with run_join(kafka_settings, topic_settings, tmp_path) as registry:
        wait_for(lambda: outcome_count(registry, "label_after") == 2)
    outcomes = values(
        read_all(kafka_settings, topic_settings.name("outcomes"), expected=2)
    )
    dlq_p = read_all(kafka_settings, f"{preds}.dlq", expected=1)
    dlq_l = read_all(kafka_settings, f"{labs}.dlq", expected=1)

    assert sorted(o["request_id"] for o in outcomes) == [A_ID, B_ID]
    assert [m.value() for m in dlq_p] == [b"\x00\xffnot-json"]
    assert dict(dlq_p[0].headers())["driftline.source.offset"] == b"1"
    assert b"event_time_ms" in dict(dlq_l[0].headers())["driftline.error.message"]


def test_state_survives_a_restart_of_the_worker(
    kafka_settings: KafkaSettings, topic_settings: TopicSettings, tmp_path: Path
) -> None:
    preds, labs = topic_settings.name("predictions"), topic_settings.name("labels")
    produce(
        kafka_settings,
        preds,
        [(f"s{i}", prediction(f"s{i}", T0 + i)) for i in range(20)],
    )
    with run_join(kafka_settings, topic_settings, tmp_path / "first") as registry:
        wait_for(lambda: pending(registry, "prediction") == 20)

    produce(
        kafka_settings,
        labs,
        [(f"s{i}", label(f"s{i}", T0 + 100 + i)) for i in range(20)],
    )
    # A new instance with an empty local store restores from the changelog alone.
    with run_join(
        kafka_settings, topic_settings, tmp_path / "second", instance="b"
    ) as registry:
        wait_for(lambda: outcome_count(registry, "label_after") == 20)
    outcomes = read_all(kafka_settings, topic_settings.name("outcomes"), expected=20)

    assert len(outcomes) == 20


def test_two_replicas_sharing_four_partitions_produce_one_outcome_per_request(
    kafka_settings: KafkaSettings, topic_settings: TopicSettings, tmp_path: Path
) -> None:
    preds, labs = topic_settings.name("predictions"), topic_settings.name("labels")
    n = 400

    with (
        run_join(kafka_settings, topic_settings, tmp_path / "a", instance="a"),
        run_join(kafka_settings, topic_settings, tmp_path / "b", instance="b"),
    ):
        produce(
            kafka_settings,
            preds,
            [(f"q{i}", prediction(f"q{i}", T0 + i)) for i in range(n)],
        )
        produce(
            kafka_settings,
            labs,
            [(f"q{i}", label(f"q{i}", T0 + n + i)) for i in range(n)],
        )
        outcomes = read_all(
            kafka_settings, topic_settings.name("outcomes"), expected=n, timeout_s=60
        )

    ids = [o["request_id"] for o in values(outcomes)]
    assert len(ids) == n
    assert len(set(ids)) == n


def test_a_request_id_reused_by_another_model_is_dead_lettered_with_the_reason(
    kafka_settings: KafkaSettings, topic_settings: TopicSettings, tmp_path: Path
) -> None:
    preds, labs = topic_settings.name("predictions"), topic_settings.name("labels")
    champion = prediction("shadow-1", T0)
    challenger = {**prediction("shadow-1", T0), "model_id": "m2", "prediction": 0}
    produce(kafka_settings, preds, [("shadow-1", champion), ("shadow-1", challenger)])
    produce(
        kafka_settings,
        labs,
        [("shadow-1", {**label("shadow-1", T0 + 1), "model_id": "m1"})],
    )

    with run_join(kafka_settings, topic_settings, tmp_path) as registry:
        wait_for(lambda: outcome_count(registry, "label_after") == 1)
    dead = read_all(kafka_settings, f"{preds}.dlq", expected=1)
    outcomes = values(
        read_all(kafka_settings, topic_settings.name("outcomes"), expected=1)
    )

    assert [(o["model_id"], o["correct"]) for o in outcomes] == [("m1", True)]
    reason = dict(dead[0].headers())["driftline.error.message"]
    assert b"already belongs to model 'm1'" in reason


def test_a_record_on_the_wrong_partition_for_its_key_is_dead_lettered(
    kafka_settings: KafkaSettings, topic_settings: TopicSettings, tmp_path: Path
) -> None:
    # A label produced with another partitioner than murmur2 would never meet its
    # prediction: the join says so instead of waiting for its TTL.
    labs = topic_settings.name("labels")
    rid = on(1, "misplaced")
    produce(kafka_settings, labs, [(rid, label(rid, T0))], partition=2)
    produce(
        kafka_settings, labs, [(on(2, "fine"), label(on(2, "fine"), T0))], partition=2
    )

    with run_join(kafka_settings, topic_settings, tmp_path) as registry:
        wait_for(lambda: pending(registry, "label") == 1)
    [dead] = read_all(kafka_settings, f"{labs}.dlq", expected=1)

    message = dict(dead.headers())["driftline.error.message"]
    assert b"hashes to partition 1" in message
    assert dead.key() == rid.encode()
