"""Render a :class:`DriftReport` as one self-contained HTML page."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from stream_workers.detectors.data import FeatureDrift
from stream_workers.report.build import DriftReport, finite_floats
from stream_workers.report.svg import categorical_bars, numeric_histograms

__all__ = ["render_html"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#222}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#666;font-size:13px}
.summary{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.tile{border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:120px}
.tile b{display:block;font-size:20px}.tile span{color:#666;font-size:12px}
table{border-collapse:collapse;font-size:13px}
th,td{border-bottom:1px solid #eee;padding:5px 10px;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f6f6f6}
.drift{color:#b00020;font-weight:600}.ok{color:#1b7f3b}.na{color:#888}
.grid{display:flex;flex-wrap:wrap;gap:16px}
.card{border:1px solid #ddd;border-radius:6px;padding:8px 10px}
.card h3{font-size:14px;margin:2px 0 6px}.card p{font-size:12px;margin:4px 0;color:#444}
"""


def _num(value: float | None, digits: int = 4) -> str:
    if value is None:
        return "–"
    if value != 0 and abs(value) < 10 ** (-digits):
        return f"{value:.2e}"
    return f"{value:.{digits}f}"


def _verdict(f: FeatureDrift) -> str:
    if f.drift is None:
        return '<span class="na">not tested</span>'
    if f.drift:
        return '<span class="drift">drift</span>'
    return '<span class="ok">no drift</span>'


def _row(f: FeatureDrift) -> str:
    r = f.result
    if r is None:
        cells = ["–"] * 6
    else:
        extra = ", ".join(f"{e.name} {_num(e.value, 3)}" for e in r.extra_effects)
        cells = [
            escape(r.test),
            _num(r.statistic),
            _num(r.p_value),
            _num(f.p_corrected),
            f"{escape(r.effect.name)} {_num(r.effect.value, 3)}",
            escape(extra) or "–",
        ]
    tds = "".join(f"<td>{c}</td>" for c in cells)
    return (
        f"<tr><td>{escape(f.feature)}</td><td>{f.feature_type}</td>{tds}"
        f"<td>{_verdict(f)}</td></tr>"
    )


def _plot(report: DriftReport, f: FeatureDrift) -> str:
    ref = report.reference_values[f.feature]
    cur = report.current_values[f.feature]
    if f.feature_type == "numeric":
        svg = numeric_histograms(f.feature, finite_floats(ref), finite_floats(cur))
    else:
        svg = categorical_bars(f.feature, ref, cur)
    if f.result is not None:
        note = (
            f"{escape(f.result.test)}: statistic {_num(f.result.statistic)}, "
            f"p {_num(f.result.p_value)}, corrected p {_num(f.p_corrected)}, "
            f"{escape(f.result.effect.name)} {_num(f.result.effect.value, 3)}"
        )
    else:
        note = escape(f.reason or "not tested")
    return (
        f'<div class="card" id="feature-{escape(f.feature)}">'
        f"<h3>{escape(f.feature)} · {_verdict(f)}</h3>{svg}<p>{note}</p></div>"
    )


def _tile(value: str, label: str) -> str:
    return f'<div class="tile"><b>{value}</b><span>{escape(label)}</span></div>'


def render_html(report: DriftReport) -> str:
    """The whole page; it loads nothing from anywhere else."""
    w, c = report.window, report.config
    features = list(w.features.values())
    verdict = "drift detected" if w.drifted else "no drift detected"
    if w.status != "ok":
        verdict = "not tested: " + (w.reason or "insufficient data")
    tiles = "".join(
        [
            _tile(
                f"{report.n_reference:,}", f"reference rows ({report.reference_name})"
            ),
            _tile(f"{report.n_current:,}", f"current rows ({report.current_name})"),
            _tile(str(w.n_tested), "features tested"),
            _tile(str(w.drifted_count), "features drifted"),
            _tile(f"{w.drifted_share:.0%}", "drifted share"),
        ]
    )
    drifted = ", ".join(escape(n) for n in w.drifted) or "none"
    rows = "".join(_row(f) for f in features)
    cards = "".join(_plot(report, f) for f in features)
    created = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(report.title)}</title><style>{_CSS}</style></head>
<body>
<h1>{escape(report.title)}</h1>
<div class="meta">{escape(report.reference_name)} vs {escape(report.current_name)}
· generated {created} by driftline</div>
<h2 id="summary">Dataset summary: {escape(verdict)}</h2>
<div class="summary">{tiles}</div>
<p class="meta">Drifted features: {drifted}. A feature drifts when its corrected
p-value ({escape(c.correction)}) is below alpha = {c.alpha} and its effect size is
above the gate (numeric: {escape(c.numeric_effect)} &gt;
{c.threshold_for(c.numeric_effect)}; categorical: PSI &gt; {c.psi_threshold}).</p>
<h2>Tests per feature</h2>
<table id="tests"><thead><tr><th>Feature</th><th>Type</th><th>Test</th>
<th>Statistic</th><th>p-value</th><th>Corrected p</th><th>Effect size</th>
<th>Other effects</th><th>Verdict</th></tr></thead><tbody>{rows}</tbody></table>
<h2>Distributions</h2>
<div class="grid">{cards}</div>
</body></html>
"""
