"""The benchmark summary as Markdown tables, one per protocol, plus the verdicts."""

from __future__ import annotations

__all__ = ["render_markdown"]

_PROTOCOLS = {
    "a": "Protocol (a): model trained on the first concept, then frozen",
    "b": "Protocol (b): prequential learner, reset on each detection",
}


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def render_markdown(summary: dict[str, object]) -> str:
    """Tables of detections, missed drifts, false alarms and delays per stream."""
    results: list[dict[str, object]] = summary["results"]  # type: ignore[assignment]
    lines = []
    header = (
        "| stream | config | detected | missed | false alarms | redundant "
        "| mean delay | median delay | FA per 100k |"
    )
    for protocol, title in _PROTOCOLS.items():
        rows = [r for r in results if r["protocol"] == protocol]
        if not rows:
            continue
        lines += ["", f"### {title}", "", header, "|" + " --- |" * 9]
        for r in rows:
            cells = [
                r["stream"],
                r["config"],
                f"{r['detected']}/{r['drifts']}",
                r["missed"],
                r["false_alarms"],
                r["redundant"],
                r["mean_delay"],
                r["median_delay"],
                r["false_alarms_per_100k"],
            ]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")

    lines += ["", "### Default against river's best", ""]
    lines.append(
        "| protocol | stream | default detected | default delay | river best delay "
        "| default FA | river best FA | verdict |"
    )
    lines.append("|" + " --- |" * 8)
    for v in summary["verdicts"]:  # type: ignore[attr-defined]
        losses = [
            name
            for name, ok in (
                ("misses drifts", v["all_detected"]),
                ("slower", v["delay_no_worse"]),
                ("more false alarms", v["false_alarms_no_more"]),
            )
            if not ok
        ]
        verdict = "as good or better" if not losses else ", ".join(losses)
        cells = [
            v["protocol"],
            v["stream"],
            v["default_detected"],
            v["default_mean_delay"],
            f"{_cell(v['river_best_delay'])} ({v['river_best_delay_by']})",
            v["default_false_alarms"],
            f"{v['river_best_false_alarms']} ({v['river_best_false_alarms_by']})",
            verdict,
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")

    lines += ["", "Candidate defaults, protocol (a), all streams:", ""]
    for rank in summary["ranking"]:  # type: ignore[attr-defined]
        lines.append(
            f"- {rank['config']}: missed {rank['missed']}, false alarms "
            f"{rank['false_alarms']}, mean delay {_cell(rank['mean_delay'])}"
        )
    return "\n".join(lines)
