"""The Kafka layer: clients, topics, the transactional loop, DLQ, local broker."""

from __future__ import annotations

from stream_workers.kafka.broker import KAFKA_VERSION, BrokerStatus, LocalBroker
from stream_workers.kafka.clients import make_admin, make_consumer, make_producer
from stream_workers.kafka.dlq import DLQ_HEADERS, dead_letter_headers
from stream_workers.kafka.loop import (
    ErrorPolicy,
    Output,
    Processor,
    StopFlag,
    TransactionalLoop,
)
from stream_workers.kafka.metrics import LoopMetrics, lag_reporter
from stream_workers.kafka.topics import (
    TopicSpec,
    check_copartitioned,
    ensure_topics,
    partition_count,
    planned_topics,
)

__all__ = [
    "DLQ_HEADERS",
    "KAFKA_VERSION",
    "BrokerStatus",
    "ErrorPolicy",
    "LocalBroker",
    "LoopMetrics",
    "Output",
    "Processor",
    "StopFlag",
    "TopicSpec",
    "TransactionalLoop",
    "check_copartitioned",
    "dead_letter_headers",
    "ensure_topics",
    "lag_reporter",
    "make_admin",
    "make_consumer",
    "make_producer",
    "partition_count",
    "planned_topics",
]
