"""Train on the head of a stream, then serve the rest as prediction and label events.

Event time advances by ``interval_ms`` per row from ``start_time_ms``, so a replay
is reproducible whatever the wall-clock rate. Each label is due ``delay`` after its
prediction (exponential, mean ``label_delay_s``, in event time) and is produced once
the stream passes that time; ``early_share`` of labels are produced just before
their prediction and ``never_share`` are never sent.

With ``retrain_on_request`` the replay plays the retraining pipeline too: when a
triggered ``RetrainRequest`` arrives it collects the next ``retrain_rows`` labelled
rows, trains a fresh model on them and serves it as a new model version.
"""

from __future__ import annotations

import heapq
import logging
import random
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson

from stream_workers.config.settings import KafkaSettings, TopicSettings
from stream_workers.errors import ConfigError
from stream_workers.kafka.records import value_of
from stream_workers.replay.sources import Source
from stream_workers.serving.producer import LabelLogger, PredictionLogger

__all__ = ["ReplayPlan", "ReplayStats", "replay"]

logger = logging.getLogger(__name__)

L = TypeVar("L", PredictionLogger, LabelLogger)


@dataclass(frozen=True)
class ReplayPlan:
    """How to replay: model, split, timing and label behaviour."""

    model_id: str = "demo-model"
    model_version: str = "v1"
    train_rows: int = 2_000
    limit: int | None = None
    rate: float = 0.0
    interval_ms: int = 1_000
    start_time_ms: int = 1_767_225_600_000
    label_delay_s: float = 30.0
    early_share: float = 0.05
    never_share: float = 0.02
    seed: int = 7
    progress: bool | None = None
    retrain_on_request: bool = False
    retrain_rows: int = 2_000

    def __post_init__(self) -> None:
        checks = {
            "train_rows": self.train_rows >= 0,
            "rate": self.rate >= 0,
            "interval_ms": self.interval_ms > 0,
            "label_delay_s": self.label_delay_s > 0,
            "early_share": 0 <= self.early_share <= 1,
            "never_share": 0 <= self.never_share <= 1,
            "early_share + never_share": self.early_share + self.never_share <= 1,
            "retrain_rows": self.retrain_rows > 0,
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            raise ConfigError(
                f"replay settings out of range: {', '.join(bad)} (rates and delays "
                "are positive, shares between 0 and 1)",
                field=bad[0],
            )


@dataclass
class ReplayStats:
    """What a replay sent, with the served-row index of each known drift."""

    source: str
    trained: int = 0
    predictions: int = 0
    labels: int = 0
    early_labels: int = 0
    never_labelled: int = 0
    seconds: float = 0.0
    drifts: list[int] = field(default_factory=list)
    retrained_at: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "trained": self.trained,
            "predictions": self.predictions,
            "labels": self.labels,
            "early_labels": self.early_labels,
            "never_labelled": self.never_labelled,
            "drifts": self.drifts,
            "retrained_at": self.retrained_at,
            "seconds": round(self.seconds, 2),
        }


def request_id(model_id: str, source: str, row: int) -> str:
    """Request IDs name the model and carry the row index: unique across models
    replayed on the same topics, and placeable in the stream."""
    return f"{model_id}-{source}-{row}"


def _model() -> Any:
    from river import tree

    return tree.HoeffdingTreeClassifier(grace_period=50)


def _client_config(kafka: KafkaSettings) -> dict[str, Any]:
    conf = kafka.librdkafka()
    conf.pop("bootstrap.servers")
    return conf


def _logger(cls: type[L], kafka: KafkaSettings, topic: str) -> L:
    """A logger that waits rather than drops: a replay must send everything."""
    return cls(
        kafka.bootstrap_servers,
        topic=topic,
        on_full="block",
        block_timeout_s=30.0,
        validate=False,
        flush_timeout_s=60.0,
        config=_client_config(kafka),
    )


def replay(
    source: Source,
    plan: ReplayPlan,
    *,
    kafka: KafkaSettings,
    topics: TopicSettings,
) -> ReplayStats:
    """Run the replay to the end of the source (or ``plan.limit`` served rows)."""
    rng = random.Random(plan.seed)
    model = _model()
    stats = ReplayStats(source=source.name, drifts=list(source.drifts))
    predictions = _logger(PredictionLogger, kafka, topics.name("predictions"))
    labels = _logger(LabelLogger, kafka, topics.name("labels"))
    due: list[tuple[int, int, dict[str, Any]]] = []
    total = source.length
    started = time.monotonic()
    progress = _Progress(plan, total)
    # Rows whose labels the serving side has seen: what a retrain can learn from.
    known: deque[tuple[dict[str, Any], Any]] = deque(maxlen=plan.retrain_rows)
    features_of: dict[int, dict[str, Any]] = {}
    requests = _RetrainRequests(kafka, topics) if plan.retrain_on_request else None
    version = plan.model_version
    waiting = False
    with predictions, labels, progress:
        for row, (x, y) in enumerate(source.rows):
            if row < plan.train_rows:
                model.learn_one(x, y)
                stats.trained += 1
                continue
            served = row - plan.train_rows
            if plan.limit is not None and served >= plan.limit:
                break
            now_ms = plan.start_time_ms + row * plan.interval_ms
            while due and due[0][0] <= now_ms:
                _, due_row, record = heapq.heappop(due)
                labels.log(record)
                stats.labels += 1
                if requests is not None:
                    known.append((features_of.pop(due_row), record["label"]))
            if requests is not None and requests.pending():
                # Retrain on labels that arrive from now on: the new concept.
                known.clear()
                waiting = True
            if waiting and len(known) >= plan.retrain_rows:
                waiting = False
                model = _model()
                for kx, ky in known:
                    model.learn_one(kx, ky)
                stats.retrained_at.append(row)
                version = f"{plan.model_version}-r{len(stats.retrained_at)}"
                logger.info(
                    "model retrained on request",
                    extra={"row": row, "rows": len(known), "model_version": version},
                )
            rid = request_id(plan.model_id, source.name, row)
            proba = model.predict_proba_one(x)
            predicted = max(proba, key=proba.get) if proba else None
            label = {"request_id": rid, "model_id": plan.model_id, "label": y}
            draw = rng.random()
            if draw < plan.early_share:
                labels.log({**label, "event_time_ms": now_ms})
                stats.labels += 1
                stats.early_labels += 1
            elif draw < plan.early_share + plan.never_share:
                stats.never_labelled += 1
            else:
                delay_ms = int(rng.expovariate(1.0 / plan.label_delay_s) * 1000) + 1
                label["event_time_ms"] = now_ms + delay_ms
                heapq.heappush(due, (now_ms + delay_ms, row, label))
                if requests is not None:
                    features_of[row] = x
            predictions.log(
                {
                    "request_id": rid,
                    "model_id": plan.model_id,
                    "model_version": version,
                    "event_time_ms": now_ms,
                    "features": {str(k): v for k, v in x.items()},
                    "prediction": predicted if predicted is not None else y,
                    "probabilities": {str(k): float(v) for k, v in proba.items()},
                }
            )
            stats.predictions += 1
            progress.advance(row)
            if plan.rate > 0:
                ahead = stats.predictions / plan.rate - (time.monotonic() - started)
                if ahead > 0:
                    time.sleep(ahead)
        while due:
            labels.log(heapq.heappop(due)[2])
            stats.labels += 1
    if requests is not None:
        requests.close()
    stats.seconds = time.monotonic() - started
    return stats


class _RetrainRequests:
    """Watches ``retrain-requests`` for triggered decisions about the served model."""

    def __init__(self, kafka: KafkaSettings, topics: TopicSettings) -> None:
        self._stop = threading.Event()
        self._count = 0
        self._taken = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(
            target=self._run, args=(kafka, topics.name("retrain_requests")), daemon=True
        )
        self._thread.start()

    def _run(self, kafka: KafkaSettings, topic: str) -> None:
        from stream_workers.kafka.tail import follow

        for message in follow(
            kafka, topic, from_beginning=False, stop=self._stop.is_set
        ):
            body = orjson.loads(value_of(message))
            if body.get("status") == "triggered":
                with self._lock:
                    self._count += 1

    def pending(self) -> bool:
        """True once per triggered request not yet acted upon."""
        with self._lock:
            if self._count > self._taken:
                self._taken = self._count
                return True
            return False

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)


class _Progress:
    """A rich progress bar on a terminal, a JSON log line every 5 s otherwise."""

    def __init__(self, plan: ReplayPlan, total: int | None) -> None:
        interactive = (
            plan.progress if plan.progress is not None else sys.stderr.isatty()
        )
        self._bar: Any = None
        self._task: Any = None
        self._total = total
        self._last = time.monotonic()
        if interactive:
            from rich.progress import Progress

            self._bar = Progress(transient=True)
            self._task = self._bar.add_task("replaying", total=total)

    def __enter__(self) -> _Progress:
        if self._bar is not None:
            self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)

    def advance(self, row: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=row + 1)
        elif time.monotonic() - self._last >= 5.0:
            self._last = time.monotonic()
            logger.info("replay progress", extra={"row": row + 1, "rows": self._total})
