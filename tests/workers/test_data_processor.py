"""The data-drift processor in process, without a broker: alerting path and skips.

The records go through :class:`DataProcessor.process` in batches as the loop
would hand them over, with an output that keeps what was produced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson
import pytest
from prometheus_client import CollectorRegistry

from stream_workers.config.models import DriftlineConfig
from stream_workers.config.settings import KafkaSettings, TopicSettings
from stream_workers.errors import RecordError
from stream_workers.messages.models import DriftAlert
from stream_workers.workers.data import DataProcessor
from stream_workers.workers.data_metrics import DataMetrics

TOPICS = TopicSettings(prefix="x-")
NUMERIC = [f"num{i}" for i in range(10)]
CATEGORICAL = [f"cat{i}" for i in range(10)]


@dataclass
class FakeMessage:
    raw: bytes
    part: int
    at: int

    def value(self) -> bytes:
        return self.raw

    def key(self) -> bytes:
        return b"k"

    def topic(self) -> str:
        return TOPICS.name("predictions")

    def partition(self) -> int:
        return self.part

    def offset(self) -> int:
        return self.at


@dataclass
class KeptOutput:
    produced: list[tuple[str, bytes | None]] = field(default_factory=list)
    rejected: list[tuple[FakeMessage, RecordError]] = field(default_factory=list)

    def produce(self, topic: str, value: bytes | None, **_: Any) -> None:
        self.produced.append((topic, value))

    def reject(self, message: FakeMessage, error: RecordError) -> None:
        self.rejected.append((message, error))

    def alerts(self) -> list[dict[str, Any]]:
        return [
            orjson.loads(v)
            for t, v in self.produced
            if t == TOPICS.name("alerts") and v is not None
        ]


def processor(config: dict[str, Any]) -> tuple[DataProcessor, CollectorRegistry]:
    registry = CollectorRegistry()
    proc = DataProcessor(
        kafka=KafkaSettings(),
        topics=TOPICS,
        config=DriftlineConfig.model_validate({"defaults": {"data": config}}),
        metrics=DataMetrics.create(registry),
    )
    return proc, registry


def events(n: int, *, shift_from: int | None, seed: int = 2024) -> list[bytes]:
    rng = np.random.default_rng(seed)
    numbers = rng.normal(loc=np.arange(10), scale=1 + np.arange(10) / 5, size=(n, 10))
    if shift_from is not None:
        numbers[shift_from:, 3] += 1 + 3 / 5  # one standard deviation of num3
    labels = np.array(["a", "b", "c", "d", "e"])
    weights = [0.4, 0.3, 0.15, 0.1, 0.05]
    categories = labels[rng.choice(5, size=(n, 10), p=weights)]
    classes = rng.choice(["cat", "dog"], size=n)
    confidence = rng.uniform(0.5, 1.0, size=n)
    out = []
    for i in range(n):
        features: dict[str, Any] = dict(zip(NUMERIC, numbers[i].tolist(), strict=True))
        features |= dict(zip(CATEGORICAL, categories[i].tolist(), strict=True))
        event = {
            "request_id": f"r{i}",
            "model_id": "m1",
            "model_version": "v1",
            "event_time_ms": 1_000_000 + i,
            "features": features,
            "prediction": str(classes[i]),
            "probabilities": {"top": float(confidence[i])},
        }
        out.append(orjson.dumps(event))
    return out


def run(proc: DataProcessor, raws: list[bytes], batch: int = 5000) -> KeptOutput:
    out = KeptOutput()
    messages = [FakeMessage(r, 0, i) for i, r in enumerate(raws)]
    for start in range(0, len(messages), batch):
        proc.process(messages[start : start + batch], out)  # type: ignore[arg-type]
        proc.committed()
    return out


@pytest.mark.slow
def test_stationary_stream_of_100k_events_with_20_features_raises_no_alert():
    proc, _ = processor({"window": {"size": 5000}})

    out = run(proc, events(100_000, shift_from=None))

    assert out.alerts() == []


@pytest.mark.slow
def test_shift_at_50k_raises_exactly_one_data_alert_naming_the_feature():
    proc, registry = processor({"window": {"size": 5000}})

    out = run(proc, events(100_000, shift_from=50_000))

    alerts = out.alerts()
    assert [(a["kind"], a["feature"]) for a in alerts] == [("data", "num3")]
    assert alerts[0]["window"]["first_event_time_ms"] == 1_000_000 + 50_000
    assert alerts[0]["window"]["count"] == 5000
    assert DriftAlert.model_validate(alerts[0]).test == "ks"
    windows = registry.get_sample_value(
        "driftline_data_windows_evaluated_total", {"model": "m1"}
    )
    assert windows == (100_000 - 5000) / 5000
