"""What PredictionLogger.log costs the serving caller, against a bare produce call.

Run against a real local broker::

    .venv/bin/python benchmarks/producer_overhead.py --count 20000

Each call is timed alone with ``perf_counter_ns``. ``logger`` logs a
:class:`PredictionEvent` model (encode with orjson, produce, poll);
``logger_dict_unvalidated`` logs a plain dict with ``validate=False``;
``reference`` is the bare confluent-kafka ``produce`` of a pre-encoded value plus
``poll(0)``, with the same producer settings. The last line printed is a JSON
object with medians and p99s in microseconds and the logger/reference ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import uuid
from collections.abc import Callable

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic
from prometheus_client import CollectorRegistry

from stream_workers.messages import PredictionEvent, encode
from stream_workers.serving import PredictionLogger, ProducerMetrics

SETTINGS = {
    "partitioner": "murmur2_random",
    "enable.idempotence": True,
    "compression.type": "lz4",
    "linger.ms": 5,
    "queue.buffering.max.messages": 1_000_000,
}


def events(count: int) -> list[PredictionEvent]:
    return [
        PredictionEvent(
            request_id=f"req-{i}",
            model_id="bench",
            event_time_ms=1_700_000_000_000 + i,
            features={f"f{j}": j * 0.1 for j in range(8)},
            prediction="UP",
            probabilities={"UP": 0.7, "DOWN": 0.3},
        )
        for i in range(count)
    ]


def timed(call: Callable[[int], object], count: int) -> list[float]:
    """Microseconds per call of ``call(i)`` for i in range(count)."""
    samples = []
    for i in range(count):
        started = time.perf_counter_ns()
        call(i)
        samples.append((time.perf_counter_ns() - started) / 1000)
    return samples


def summary(samples: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(samples, n=100)
    return {
        "median_us": round(statistics.median(samples), 2),
        "p99_us": round(cuts[98], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--bootstrap",
        default=os.environ.get("DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
    )
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--partitions", type=int, default=6)
    args = parser.parse_args()

    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    topic = f"bench-predictions-{uuid.uuid4().hex[:8]}"
    admin.create_topics([NewTopic(topic, args.partitions, 1)])[topic].result(30)
    batch = events(args.count)
    rows = [e.model_dump(mode="json", exclude_none=True) for e in batch]
    encoded = [encode(e) for e in batch]
    timings: dict[str, dict[str, float]] = {}

    try:
        # The bare client first, so that the logger does not benefit from warm-up.
        bare = Producer({"bootstrap.servers": args.bootstrap, **SETTINGS})

        def produce(i: int) -> None:
            bare.produce(topic, encoded[i], batch[i].request_id)
            bare.poll(0)

        timed(produce, 1000)
        timings["reference"] = summary(timed(produce, args.count))
        bare.flush(30)

        metrics = ProducerMetrics(CollectorRegistry())
        with PredictionLogger(args.bootstrap, topic=topic, metrics=metrics) as log:
            timed(lambda i: log.log(batch[i]), 1000)
            timings["logger"] = summary(timed(lambda i: log.log(batch[i]), args.count))
        with PredictionLogger(
            args.bootstrap, topic=topic, metrics=metrics, validate=False
        ) as log:
            timed(lambda i: log.log(rows[i]), 1000)
            timings["logger_dict_unvalidated"] = summary(
                timed(lambda i: log.log(rows[i]), args.count)
            )
    finally:
        admin.delete_topics([topic], operation_timeout=10)

    results: dict[str, object] = {"count": args.count, **timings}
    for name in ("logger", "logger_dict_unvalidated"):
        ratio = timings[name]["median_us"] / timings["reference"]["median_us"]
        results[f"{name}_to_reference_median_ratio"] = round(ratio, 2)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
