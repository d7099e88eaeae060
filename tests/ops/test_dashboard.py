"""The Grafana dashboard is current, loads as Grafana's model, and queries only
catalogued metrics."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import pytest
import yaml

from .conftest import ROOT, OpsTools, load_script

DASHBOARD = ROOT / "deploy/grafana/dashboards/driftline.json"
METRIC = re.compile(r"\bdriftline_[a-z0-9_]+")


def _committed() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text())


def _exprs(dashboard: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (panel["title"], target["expr"])
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
    ]


def test_dashboard_json_equals_the_generator_output() -> None:
    generator: Any = load_script(ROOT / "deploy/grafana/make_dashboard.py", "dash")

    assert DASHBOARD.read_text() == generator.render()


def test_dashboard_loads_as_a_grafana_dashboard_model(ops_tools: OpsTools) -> None:
    sys.path.insert(0, str(ops_tools.python))
    try:
        from grafana_foundation_sdk.cog.plugins import register_default_plugins
        from grafana_foundation_sdk.models.dashboard import Dashboard, Panel
        from grafana_foundation_sdk.models.prometheus import Dataquery
    finally:
        sys.path.remove(str(ops_tools.python))
    register_default_plugins()

    model = Dashboard.from_json(_committed())

    panels = [p for p in model.panels if isinstance(p, Panel)]
    assert model.uid == "driftline-overview" and model.title
    assert len(panels) == 13
    for panel in panels:
        assert panel.targets and all(isinstance(t, Dataquery) for t in panel.targets)
        assert all(t.expr for t in panel.targets)


def test_every_panel_query_names_a_catalogued_metric() -> None:
    catalogue: Any = load_script(ROOT / "scripts/gen_metrics_doc.py", "gen_doc")
    known = {e.name for e in catalogue.discover()}
    histograms = {e.name for e in catalogue.discover() if e.type == "histogram"}

    exprs = _exprs(_committed())

    assert exprs
    for title, expr in exprs:
        names = set(METRIC.findall(expr))
        assert names, (title, expr)
        for name in names:
            base = re.sub(r"_(bucket|sum|count)$", "", name)
            assert name in known or base in histograms, (title, name)


def test_panels_have_unique_ids_and_use_the_provisioned_datasource() -> None:
    dashboard = _committed()
    provisioned = yaml.safe_load(
        (ROOT / "deploy/grafana/provisioning/datasources/prometheus.yml").read_text()
    )

    ids = [p["id"] for p in dashboard["panels"]]
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert len(ids) == len(set(ids))
    assert variables["datasource"]["query"] == provisioned["datasources"][0]["type"]
    assert "model" in variables


@pytest.mark.parametrize(
    "needle",
    [
        "driftline_join_outcomes_total",
        "driftline_concept_label_coverage_ratio",
        "driftline_join_label_delay_seconds_bucket",
        "driftline_model_accuracy_ratio",
        "driftline_concept_detector_statistic",
        "driftline_concept_alerts_total",
        "driftline_data_drifted_features",
        "driftline_consumer_lag_records",
        "driftline_dlq_records_total",
    ],
)
def test_dashboard_shows_what_operations_asked_for(needle: str) -> None:
    assert any(needle in expr for _, expr in _exprs(_committed()))
