"""Write ``dashboards/driftline.json``, the Grafana dashboard of driftline.

Run ``python deploy/grafana/make_dashboard.py`` after changing a panel; a test
checks that the committed JSON equals this script's output, that Grafana's
dashboard model loads it, and that every query names a catalogued metric.
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).resolve().parent / "dashboards" / "driftline.json"
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
M = 'model=~"$model"'

# (title, unit, kind, [(expr, legend)], description)
ROWS: list[tuple[str, list[tuple[str, str, str, list[tuple[str, str]], str]]]] = [
    (
        "Traffic and labels",
        [
            (
                "Predictions per second",
                "reqps",
                "timeseries",
                [
                    (
                        f"sum by (model) (rate(driftline_join_outcomes_total{{{M}}}"
                        "[$__rate_interval]))",
                        "{{model}}",
                    )
                ],
                "Outcomes the join produced: every prediction, labelled or not.",
            ),
            (
                "Labels per second",
                "reqps",
                "timeseries",
                [
                    (
                        "sum by (model) (rate(driftline_join_outcomes_total"
                        f'{{{M}, order!="unlabeled"}}[$__rate_interval]))',
                        "{{model}}",
                    )
                ],
                "Predictions joined with their label, in either order.",
            ),
            (
                "Label coverage",
                "percentunit",
                "timeseries",
                [
                    (
                        f"driftline_concept_label_coverage_ratio{{{M}}}",
                        "{{model}} {{version}}",
                    )
                ],
                "Share of outcomes that carried a label.",
            ),
            (
                "Label delay (p50, p95)",
                "s",
                "timeseries",
                [
                    (
                        f"histogram_quantile({q}, sum by (model, le) (rate("
                        f"driftline_join_label_delay_seconds_bucket{{{M}}}"
                        "[$__rate_interval])))",
                        f"{{{{model}}}} p{int(q * 100)}",
                    )
                    for q in (0.5, 0.95)
                ],
                "Event-time delay from a prediction to its label.",
            ),
        ],
    ),
    (
        "Model performance and concept drift",
        [
            (
                "Accuracy: realised and estimated",
                "percentunit",
                "timeseries",
                [
                    (
                        f"driftline_model_accuracy_ratio{{{M}}}",
                        "{{model}} {{version}} {{kind}}",
                    )
                ],
                "Realised from labels; estimated from confidence where labels lag.",
            ),
            (
                "Detector statistics",
                "short",
                "timeseries",
                [
                    (
                        f"driftline_concept_detector_statistic{{{M}}}",
                        "{{model}} {{detector}}",
                    )
                ],
                "The latest statistic of every concept detector.",
            ),
            (
                "Drift alerts",
                "short",
                "barchart-like",
                [
                    (
                        "sum by (model, detector, level) (increase("
                        f"driftline_concept_alerts_total{{{M}}}[$__rate_interval]))",
                        "concept {{model}} {{detector}} {{level}}",
                    ),
                    (
                        "sum by (model, kind) (increase("
                        f"driftline_data_alerts_total{{{M}}}[$__rate_interval]))",
                        "data {{model}} {{kind}}",
                    ),
                ],
                "Alerts raised by the concept and data workers over time.",
            ),
        ],
    ),
    (
        "Data drift",
        [
            (
                "Drifted features",
                "short",
                "timeseries",
                [
                    (f"driftline_data_drifted_features{{{M}}}", "{{model}} count"),
                    (
                        f"driftline_data_drifted_feature_share{{{M}}}",
                        "{{model}} share",
                    ),
                ],
                "Features that drifted in the latest window, and their share.",
            ),
            (
                "Effect size per feature",
                "short",
                "timeseries",
                [
                    (
                        f"driftline_data_feature_effect_size{{{M}}}",
                        "{{model}} {{feature}}",
                    )
                ],
                "KS D for numbers, PSI for categories; the alert gate's effect size.",
            ),
            (
                "p-value per feature",
                "short",
                "timeseries",
                [
                    (
                        f"driftline_data_feature_p_value{{{M}}}",
                        "{{model}} {{feature}}",
                    )
                ],
                "Uncorrected p-value of each feature's test in the latest window.",
            ),
        ],
    ),
    (
        "Pipeline health",
        [
            (
                "Consumer lag per partition",
                "short",
                "timeseries",
                [
                    (
                        "sum by (worker, topic, partition) "
                        "(driftline_consumer_lag_records)",
                        "{{worker}} {{topic}}[{{partition}}]",
                    )
                ],
                "Records behind the end of each partition, from librdkafka.",
            ),
            (
                "Dead-lettered records per second",
                "reqps",
                "timeseries",
                [
                    (
                        "sum by (worker, topic, error) "
                        "(rate(driftline_dlq_records_total[$__rate_interval]))",
                        "{{worker}} {{topic}} {{error}}",
                    )
                ],
                "Records the workers could not process, by error.",
            ),
            (
                "Workers running",
                "short",
                "stat",
                [
                    (
                        "count by (service, version) (driftline_build_info)",
                        "{{service}} {{version}}",
                    )
                ],
                "Scraped worker processes and the driftline version they run.",
            ),
        ],
    ),
]


def _panel(
    pid: int, title: str, unit: str, kind: str, queries: list, text: str, x: int, y: int
) -> dict:
    panel_type = "stat" if kind == "stat" else "timeseries"
    custom: dict = {"lineWidth": 1, "fillOpacity": 10, "showPoints": "never"}
    if kind == "barchart-like":
        custom = {"drawStyle": "bars", "fillOpacity": 80, "lineWidth": 1}
    panel: dict = {
        "id": pid,
        "type": panel_type,
        "title": title,
        "description": text,
        "datasource": DATASOURCE,
        "gridPos": {"h": 8, "w": 8, "x": x, "y": y},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom"}},
        "targets": [
            {
                "refId": chr(ord("A") + i),
                "datasource": DATASOURCE,
                "expr": expr,
                "legendFormat": legend,
            }
            for i, (expr, legend) in enumerate(queries)
        ],
    }
    if panel_type == "timeseries":
        panel["fieldConfig"]["defaults"]["custom"] = custom
    else:
        panel["options"] = {"reduceOptions": {"calcs": ["lastNotNull"]}}
    return panel


def build() -> dict:
    """The dashboard model."""
    panels: list[dict] = []
    pid, y = 1, 0
    for row_title, row_panels in ROWS:
        panels.append(
            {
                "id": pid,
                "type": "row",
                "title": row_title,
                "collapsed": False,
                "gridPos": {"h": 1, "w": 24, "x": 0, "y": y},
                "panels": [],
            }
        )
        pid, y = pid + 1, y + 1
        for i, (title, unit, kind, queries, text) in enumerate(row_panels):
            x = (i % 3) * 8
            y_here = y + (i // 3) * 8
            panels.append(_panel(pid, title, unit, kind, queries, text, x, y_here))
            pid += 1
        y += 8 * ((len(row_panels) + 2) // 3)
    return {
        "uid": "driftline-overview",
        "title": "driftline: models in production",
        "description": "Traffic, labels, accuracy, drift and pipeline health by model.",
        "tags": ["driftline", "ml", "drift"],
        "timezone": "browser",
        "editable": True,
        "graphTooltip": 1,
        "schemaVersion": 39,
        "version": 1,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "label": "Data source",
                    "type": "datasource",
                    "query": "prometheus",
                    "current": {},
                    "hide": 0,
                },
                {
                    "name": "model",
                    "label": "Model",
                    "type": "query",
                    "datasource": DATASOURCE,
                    "query": {
                        "query": "label_values(driftline_join_outcomes_total, model)",
                        "refId": "model",
                    },
                    "definition": "label_values(driftline_join_outcomes_total, model)",
                    "refresh": 2,
                    "includeAll": True,
                    "multi": True,
                    "allValue": ".*",
                    "current": {"text": "All", "value": "$__all"},
                    "hide": 0,
                    "sort": 1,
                },
            ]
        },
        "annotations": {"list": []},
        "links": [],
        "panels": panels,
    }


def render() -> str:
    """The dashboard as the JSON text that is committed."""
    return json.dumps(build(), indent=2) + "\n"


if __name__ == "__main__":
    OUT.write_text(render())
    print(f"wrote {OUT}")
