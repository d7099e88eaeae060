"""The HTML drift report behind ``driftline report`` (also ``driftline drift``).

Reads a reference and a current data set (CSV, optionally gzipped, or JSON
lines), judges every feature with the data-drift statistics of
:mod:`stream_workers.detectors.data`, and writes one self-contained HTML file:
the dataset summary, a table of tests, statistics, p-values, effect sizes and
verdicts, and per feature both distributions side by side as inline SVG.
"""

from __future__ import annotations

from stream_workers.report.build import DriftReport, build_report, infer_types
from stream_workers.report.html import render_html
from stream_workers.report.sources import load_rows, slice_rows

__all__ = [
    "DriftReport",
    "build_report",
    "infer_types",
    "load_rows",
    "render_html",
    "slice_rows",
]
