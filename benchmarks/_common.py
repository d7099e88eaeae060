"""Shared pieces of the join benchmarks: workload, topics, worker process, reads.

Every benchmark creates its own topics under a fresh prefix, runs the join worker
as a child process (``python -m stream_workers.cli worker join``) configured
through ``DRIFTLINE_*`` variables, and deletes its topics at the end.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from confluent_kafka import (
    ConsumerGroupTopicPartitions,
    KafkaError,
    Producer,
    TopicPartition,
)
from confluent_kafka.admin import AdminClient

from stream_workers.config.settings import KafkaSettings, TopicSettings
from stream_workers.kafka.clients import make_admin, make_consumer, make_producer
from stream_workers.kafka.partitioning import partition_for
from stream_workers.kafka.topics import ensure_topics

REPO = Path(__file__).resolve().parent.parent
T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z
JOIN_GROUP = "driftline-join"

# (topic kind, request ID used as key, encoded value, explicit partition or None)
Record = tuple[str, str, bytes, int | None]


def default_bootstrap() -> str:
    return os.environ.get("DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")


def fresh_topics(bootstrap: str, tag: str, partitions: int) -> TopicSettings:
    """Create every driftline topic under a prefix no other run uses."""
    topics = TopicSettings(
        prefix=f"bench-{tag}-{uuid.uuid4().hex[:8]}.",
        input_partitions=partitions,
        partitions=partitions,
    )
    ensure_topics(make_admin(KafkaSettings(bootstrap_servers=bootstrap)), topics)
    return topics


def drop_topics(bootstrap: str, prefix: str) -> None:
    """Delete the topics a run created (best effort)."""
    admin = make_admin(KafkaSettings(bootstrap_servers=bootstrap))
    names = [t for t in admin.list_topics(timeout=10).topics if t.startswith(prefix)]
    if names:
        for future in admin.delete_topics(names, operation_timeout=30).values():
            future.exception()


# -- workload ------------------------------------------------------------------
def prediction_value(rid: str, event_time_ms: int, rng: random.Random) -> bytes:
    """A classification prediction with eight features, about 330 bytes of JSON."""
    p = round(rng.random(), 4)
    return orjson.dumps(
        {
            "request_id": rid,
            "model_id": "bench",
            "model_version": "v1",
            "event_time_ms": event_time_ms,
            "features": {f"f{j}": round(rng.gauss(0, 1), 5) for j in range(8)},
            "prediction": int(p > 0.5),
            "probabilities": {"0": round(1 - p, 4), "1": p},
        }
    )


def label_value(rid: str, event_time_ms: int, value: int) -> bytes:
    return orjson.dumps(
        {"request_id": rid, "event_time_ms": event_time_ms, "label": value}
    )


@dataclass
class Workload:
    """Records in arrival order and what each request's outcome should be."""

    records: list[Record]
    labelled: dict[str, bool] = field(default_factory=dict)
    last_event_ms: int = T0


def mixed_workload(
    n: int,
    *,
    seed: int = 7,
    step_ms: int = 10,
    max_delay_ms: int = 60_000,
    early_share: float = 0.10,
    never_share: float = 0.05,
) -> Workload:
    """Predictions every ``step_ms``; labels late, early or never, by arrival time.

    A late label arrives ``U(0, max_delay_ms)`` after its prediction, an early one
    up to ``max_delay_ms / 2`` before it; a record's event time is its arrival time.
    """
    rng = random.Random(seed)
    timed: list[tuple[int, int, Record]] = []
    labelled: dict[str, bool] = {}
    for i in range(n):
        rid = f"r{i:08d}"
        t = T0 + i * step_ms
        timed.append((t, 0, ("predictions", rid, prediction_value(rid, t, rng), None)))
        draw = rng.random()
        labelled[rid] = draw >= never_share
        if draw < never_share:
            continue
        if draw < never_share + early_share:
            lt = t - rng.randint(1, max_delay_ms // 2)
        else:
            lt = t + rng.randint(1, max_delay_ms)
        timed.append(
            (lt, 1, ("labels", rid, label_value(rid, lt, rng.randint(0, 1)), None))
        )
    timed.sort(key=lambda item: (item[0], item[1]))
    last = max(t for t, _, _ in timed)
    return Workload([r for _, _, r in timed], labelled, last)


def sentinels(partitions: int, event_time_ms: int) -> list[Record]:
    """One label per partition, far in event time, that advances every stream time.

    Each key is chosen so that murmur2 sends it to its partition, as the join
    checks.
    """
    records: list[Record] = []
    for p in range(partitions):
        key = next(
            f"sentinel-{p}-{k}"
            for k in range(10_000)
            if partition_for(f"sentinel-{p}-{k}".encode(), partitions) == p
        )
        records.append(("labels", key, label_value(key, event_time_ms, 0), p))
    return records


def produce(bootstrap: str, topics: TopicSettings, records: Iterable[Record]) -> int:
    """Produce records in order with the Java-compatible partitioner; return count."""
    producer: Producer = make_producer(
        KafkaSettings(bootstrap_servers=bootstrap),
        overrides={"queue.buffering.max.messages": 500_000},
    )
    names = {kind: topics.name(kind) for kind in ("predictions", "labels")}
    count = 0
    for kind, key, value, partition in records:
        kwargs: dict[str, object] = {"key": key, "value": value}
        if partition is not None:
            kwargs["partition"] = partition
        while True:
            try:
                producer.produce(names[kind], **kwargs)
                break
            except BufferError:
                producer.poll(0.05)
        count += 1
        if count % 10_000 == 0:
            producer.poll(0)
    if producer.flush(60) != 0:
        raise RuntimeError("input records still queued after 60 s")
    return count


# -- the worker process ----------------------------------------------------------
class JoinProcess:
    """The join worker as a child process with a fixed instance ID and state dir."""

    def __init__(
        self,
        bootstrap: str,
        topics: TopicSettings,
        state_dir: Path,
        log_path: Path,
        *,
        env: dict[str, str] | None = None,
        wrapper: list[str] | None = None,
    ) -> None:
        self.state_dir = state_dir
        self.log_path = log_path
        self.wrapper = wrapper or []
        self.env = {
            **os.environ,
            "DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "DRIFTLINE_TOPIC_PREFIX": topics.prefix,
            "DRIFTLINE_TOPIC_INPUT_PARTITIONS": str(topics.input_partitions),
            "DRIFTLINE_TOPIC_PARTITIONS": str(topics.partitions),
            "DRIFTLINE_INSTANCE_ID": f"bench-{uuid.uuid4().hex[:8]}",
            "DRIFTLINE_STATE_DIR": str(state_dir),
            "DRIFTLINE_HTTP_PORT": "0",
            "DRIFTLINE_LOG_LEVEL": "WARNING",
            **(env or {}),
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "stream_workers.cli", "worker", "join"]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                self.wrapper + command, cwd=REPO, env=self.env, stdout=log, stderr=log
            )

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def kill(self) -> None:
        """SIGKILL: no flush, no commit, no close."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def stop(self, timeout_s: float = 60.0) -> int:
        """SIGTERM and wait; SIGKILL if it does not exit in time."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()
            return -9

    def wipe_state(self) -> None:
        shutil.rmtree(self.state_dir, ignore_errors=True)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def rss_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in KiB, from /proc/<pid>/status."""
    out: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            out[name] = int(rest.split()[0])
    return out


# -- progress and results --------------------------------------------------------
def end_offsets(bootstrap: str, topic_names: list[str]) -> dict[tuple[str, int], int]:
    """High watermarks of every partition of some topics."""
    consumer = make_consumer(
        KafkaSettings(bootstrap_servers=bootstrap), f"bench-probe-{uuid.uuid4().hex}"
    )
    ends: dict[tuple[str, int], int] = {}
    try:
        for name in topic_names:
            meta = consumer.list_topics(name, timeout=10).topics[name]
            for p in meta.partitions:
                _, high = consumer.get_watermark_offsets(
                    TopicPartition(name, p), timeout=10
                )
                ends[(name, p)] = high
    finally:
        consumer.close()
    return ends


def committed(
    admin: AdminClient, group: str, parts: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], int]:
    """A group's committed offsets (0 where none)."""
    request = ConsumerGroupTopicPartitions(
        group, [TopicPartition(t, p) for t, p in parts]
    )
    futures = admin.list_consumer_group_offsets([request])
    result = next(iter(futures.values())).result()
    return {
        (tp.topic, tp.partition): max(tp.offset, 0) for tp in result.topic_partitions
    }


def wait_consumed(
    bootstrap: str,
    group: str,
    ends: dict[tuple[str, int], int],
    *,
    timeout_s: float,
    alive: JoinProcess | None = None,
) -> tuple[float, float, int]:
    """Wait until a group committed up to ``ends``; return (first move, done, base).

    ``first move`` is when the committed total first rose above its starting value
    and ``base`` that starting total, so ``(total - base) / (done - first)`` is
    the processing rate without the start-up time.
    """
    admin = make_admin(KafkaSettings(bootstrap_servers=bootstrap))
    target = sum(ends.values())
    base = sum(committed(admin, group, ends).values())
    first: float | None = None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        total = sum(committed(admin, group, ends).values())
        now = time.monotonic()
        if first is None and total > base:
            first = now
        if total >= target:
            return (first or now), now, base
        if alive is not None and not alive.alive():
            raise RuntimeError(f"worker exited; see {alive.log_path}")
        time.sleep(0.1)
    raise TimeoutError(f"group {group} did not reach the end in {timeout_s:.0f} s")


def read_topic(bootstrap: str, topic: str) -> Iterator[bytes]:
    """Every committed record value of a topic, from the start to its end."""
    consumer = make_consumer(
        KafkaSettings(bootstrap_servers=bootstrap),
        f"bench-reader-{uuid.uuid4().hex}",
        overrides={"enable.partition.eof": True, "fetch.wait.max.ms": 10},
    )
    meta = consumer.list_topics(topic, timeout=10).topics[topic]
    consumer.assign([TopicPartition(topic, p, 0) for p in meta.partitions])
    open_parts = set(meta.partitions)
    try:
        while open_parts:
            for message in consumer.consume(5000, 1.0):
                error = message.error()
                if error is None:
                    yield message.value()
                elif error.code() == KafkaError._PARTITION_EOF:
                    open_parts.discard(message.partition())
                else:
                    raise RuntimeError(f"reading {topic} failed: {error.str()}")
    finally:
        consumer.close()


def disk_bytes(directory: Path) -> int:
    """Bytes of every file under a directory (the SQLite file, WAL and SHM)."""
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())
