"""The whole pipeline through the real broker, every worker a separate process.

Measures in one run:

1. end-to-end throughput: once the join, concept, data and retrain workers are up
   and idle, N predictions with their labels (mixed orders and delays, 5 % never
   labelled) are produced as fast as the producer goes, and the run times how long
   each worker takes to consume its share (predictions per second with labels
   joined and through the concept worker);
2. the latency from a label's arrival to the alert it causes: per trial a fresh
   model gets 300 correct outcomes, then wrong ones at a steady pace until ADWIN
   alerts; the alert names the outcome that triggered it, whose label's produce
   time is known (p50, p99 over the trials);
3. the resident memory of each worker (VmRSS and peak VmHWM);
4. the same bare confluent-kafka passthrough as ``join_throughput.py`` (batch
   consume, produce, transactional commit) over the same input topics, as the
   reference for the join's rate.

    .venv/bin/python benchmarks/pipeline.py            # N = 30,000, 15 trials

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time
from pathlib import Path

import orjson
from _common import end_offsets, mixed_workload, produce, rss_kib
from confluent_kafka import Producer
from join_throughput import run_passthrough

from stream_workers.kafka.clients import make_producer
from stream_workers.kafka.records import value_of
from stream_workers.kafka.tail import follow
from stream_workers.replay.pipeline import WorkerProcesses, connect, wait_until

WORKERS = ("join", "concept", "data", "retrain")
T_LATENCY = 1_900_000_000_000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30_000, help="predictions")
    parser.add_argument("--trials", type=int, default=15)
    parser.add_argument("--pace", type=float, default=100.0, help="wrong labels/s")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--poll-timeout-s", type=float, default=0.2)
    parser.add_argument("--partitions", type=int, default=4)
    return parser.parse_args()


def consumed(pipeline: WorkerProcesses, worker: str) -> float:
    return pipeline.metric(worker, "driftline_records_consumed_total")


def throughput(pipeline: WorkerProcesses, bootstrap: str, n: int) -> dict:
    """Seconds from the first record produced until each worker has consumed all."""
    wait_until(
        lambda: all(pipeline.metric(w, "driftline_worker_ready") == 1 for w in WORKERS),
        60,
        "the workers to be ready",
    )
    workload = mixed_workload(n)
    started = time.monotonic()
    inputs = produce(bootstrap, pipeline.topics, workload.records)
    produced_s = time.monotonic() - started
    predictions = n
    done: dict[str, float] = {}

    def check() -> bool:
        now = time.monotonic() - started
        outcomes = pipeline.metric("join", "driftline_join_outcomes_total")
        targets = {
            "join": inputs,
            "data": predictions,
            "concept": outcomes if "join" in done else float("inf"),
        }
        for worker, target in targets.items():
            if worker not in done and consumed(pipeline, worker) >= target:
                done[worker] = now
        return len(done) == 3

    wait_until(check, 900, "the backlog to be consumed")
    outcomes = pipeline.metric("join", "driftline_join_outcomes_total")
    return {
        "input_records": inputs,
        "predictions": predictions,
        "outcomes": int(outcomes),
        "produce_seconds": round(produced_s, 2),
        "join_seconds": round(done["join"], 2),
        "join_records_per_s": round(inputs / done["join"]),
        "end_to_end_predictions_per_s": round(predictions / done["concept"]),
        "concept_seconds": round(done["concept"], 2),
        "data_predictions_per_s": round(predictions / done["data"]),
    }


class AlertWatch:
    """Arrival times of alerts, by the request ID of the outcome behind them."""

    def __init__(self, pipeline: WorkerProcesses) -> None:
        self.arrivals: dict[str, tuple[float, str]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(pipeline,), daemon=True)
        self._thread.start()

    def _run(self, pipeline: WorkerProcesses) -> None:
        topic = pipeline.topics.name("alerts")
        for message in follow(pipeline.kafka, topic, stop=self._stop.is_set):
            alert = orjson.loads(value_of(message))
            rid = str(alert.get("details", {}).get("request_id", ""))
            self.arrivals.setdefault(alert["model_id"], (time.monotonic(), rid))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)


def pair(model: str, rid: str, t: int, correct: bool) -> tuple[bytes, bytes]:
    prediction = {
        "request_id": rid,
        "model_id": model,
        "event_time_ms": t,
        "features": {"x": 1.0},
        "prediction": 1,
    }
    label = {"request_id": rid, "event_time_ms": t + 1, "label": 1 if correct else 0}
    return orjson.dumps(prediction), orjson.dumps(label)


def send(producer: Producer, topic: str, rid: str, value: bytes) -> None:
    producer.produce(topic, value, key=rid)


def latency(pipeline: WorkerProcesses, trials: int, pace: float) -> dict:
    """Label produce time to alert arrival, over fresh models, one at a time."""
    producer = make_producer(pipeline.kafka, overrides={"linger.ms": 0})
    predictions = pipeline.topics.name("predictions")
    labels = pipeline.topics.name("labels")
    watch = AlertWatch(pipeline)
    samples: list[float] = []
    try:
        for trial in range(trials):
            model = f"latency-{trial}"
            t = T_LATENCY + trial * 10_000_000
            for i in range(300):
                p, lab = pair(model, f"{model}-{i}", t + i * 1000, True)
                send(producer, predictions, f"{model}-{i}", p)
                send(producer, labels, f"{model}-{i}", lab)
            producer.flush(30)
            sent: dict[str, float] = {}
            i = 300
            deadline = time.monotonic() + 60
            while model not in watch.arrivals and time.monotonic() < deadline:
                rid = f"{model}-{i}"
                p, lab = pair(model, rid, t + i * 1000, False)
                send(producer, predictions, rid, p)
                producer.flush(5)
                sent[rid] = time.monotonic()
                send(producer, labels, rid, lab)
                producer.flush(5)
                i += 1
                time.sleep(1.0 / pace)
            wait_until(lambda m=model: m in watch.arrivals, 30, f"an alert for {model}")
            arrived, rid = watch.arrivals[model]
            if rid in sent:
                samples.append(arrived - sent[rid])
    finally:
        watch.close()
    ordered = sorted(samples)
    return {
        "trials": len(samples),
        "label_to_alert_p50_ms": round(statistics.median(ordered) * 1000, 1),
        "label_to_alert_p99_ms": round(
            ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000, 1
        ),
        "label_to_alert_max_ms": round(ordered[-1] * 1000, 1),
    }


def main() -> None:
    args = parse_args()
    kafka = connect()
    args.bootstrap = kafka.bootstrap_servers
    started = time.monotonic()
    run = f"pipeline{int(time.time())}"
    env = {
        "DRIFTLINE_JOIN_PREDICTION_TTL_S": "86400",
        "DRIFTLINE_BATCH_SIZE": str(args.batch_size),
    }
    pipeline = WorkerProcesses(
        kafka, WORKERS, run=run, workdir=Path(".driftline/bench"), env=env
    )
    with pipeline:
        rates = throughput(pipeline, args.bootstrap, args.n)
        lat = latency(pipeline, args.trials, args.pace)
        memory = {
            name: {k: round(v / 1024, 1) for k, v in rss_kib(p.pid).items()}
            for name, p in pipeline.processes.items()
        }
    input_topics = [pipeline.topics.name("predictions"), pipeline.topics.name("labels")]
    ends = end_offsets(args.bootstrap, input_topics)
    reference = run_passthrough(args, "txn", input_topics, pipeline.topics.prefix, ends)
    result = {
        "benchmark": "pipeline",
        "cores": os.cpu_count(),
        **rates,
        **lat,
        "rss_mib": memory,
        "passthrough_txn_records_per_s": round(reference["rate"]),
        "join_to_passthrough_ratio": round(
            rates["join_records_per_s"] / reference["rate"], 3
        ),
        "seconds": round(time.monotonic() - started, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
