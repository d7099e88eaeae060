"""docs/metrics.md lists every metric the code registers, named by convention."""

from __future__ import annotations

from typing import Any

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from stream_workers.metrics.build import BuildMetrics, build_labels

from .conftest import ROOT, load_script


@pytest.fixture(scope="module")
def catalogue() -> Any:
    return load_script(ROOT / "scripts/gen_metrics_doc.py", "gen_metrics_doc")


def test_metrics_doc_equals_the_generator_output(catalogue: Any) -> None:
    expected = catalogue.render(catalogue.discover())

    committed = (ROOT / "docs/metrics.md").read_text()

    assert committed == expected, "run scripts/gen_metrics_doc.py"


def test_every_metric_follows_the_naming_conventions(catalogue: Any) -> None:
    entries = catalogue.discover()

    problems = catalogue.violations(entries)

    assert problems == []


def test_catalogue_finds_the_loop_join_and_build_metrics(catalogue: Any) -> None:
    names = {e.name for e in catalogue.discover()}

    assert {
        "driftline_build_info",
        "driftline_consumer_lag_records",
        "driftline_dlq_records_total",
        "driftline_join_outcomes_total",
    } <= names


def test_convention_check_flags_bad_names(catalogue: Any) -> None:
    bad = [
        catalogue.MetricEntry("app_latency_ms", "gauge", ("request_id",), "", "", ""),
        catalogue.MetricEntry("driftline_events", "counter", (), "", "", ""),
    ]

    problems = catalogue.violations(bad)

    assert len(problems) == 4


def test_build_info_carries_the_package_and_librdkafka_versions() -> None:
    registry = CollectorRegistry()

    BuildMetrics.create(registry)

    labels = build_labels()
    assert registry.get_sample_value("driftline_build_info", labels) == 1.0
    assert labels["kafka_version"].count(".") >= 2
    assert b"driftline_build_info{" in generate_latest(registry)
