"""``driftline_build_info``: which driftline and which librdkafka a process runs."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

from prometheus_client import CollectorRegistry, Gauge

__all__ = ["BuildMetrics", "build_labels"]


def build_labels() -> dict[str, str]:
    """The label values of the build series: package and librdkafka versions."""
    from confluent_kafka import libversion

    try:
        driftline_version = version("driftline")
    except PackageNotFoundError:
        driftline_version = "unknown"
    return {"version": driftline_version, "kafka_version": libversion()[0]}


@dataclass(frozen=True)
class BuildMetrics:
    """One constant series set to 1, labelled with the build's versions."""

    info: Gauge

    @classmethod
    def create(cls, registry: CollectorRegistry) -> BuildMetrics:
        labels = build_labels()
        info = Gauge(
            "driftline_build_info",
            "Always 1; labelled with the driftline version and the librdkafka "
            "version the Kafka clients use.",
            list(labels),
            registry=registry,
        )
        info.labels(**labels).set(1)
        return cls(info=info)
