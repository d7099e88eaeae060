"""Small inline SVG charts: two distributions side by side, no dependencies."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from html import escape

import numpy as np

__all__ = ["categorical_bars", "numeric_histograms"]

WIDTH, HEIGHT = 460, 220
LEFT, RIGHT, TOP, BOTTOM = 46, 12, 26, 34
COLOURS = ("#4c78a8", "#f58518")
MAX_CATEGORIES = 20


def _frame(
    title: str, body: list[str], y_max: float, x_labels: list[tuple[float, str]]
) -> str:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
    ]
    for i in range(5):
        y = TOP + plot_h * i / 4
        value = y_max * (1 - i / 4)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="#e5e5e5"/>'
            f'<text x="{LEFT - 4}" y="{y + 3:.1f}" font-size="9" '
            f'text-anchor="end" fill="#555">{value:.2f}</text>'
        )
    parts.extend(body)
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{HEIGHT - BOTTOM}" '
        f'y2="{HEIGHT - BOTTOM}" stroke="#333"/>'
    )
    for x, label in x_labels:
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 13}" font-size="9" '
            f'text-anchor="middle" fill="#555">{escape(label)}</text>'
        )
    for i, name in enumerate(("reference", "current")):
        x = WIDTH - RIGHT - 150 + i * 78
        parts.append(
            f'<rect x="{x}" y="8" width="10" height="10" fill="{COLOURS[i]}" '
            f'fill-opacity="0.7"/><text x="{x + 14}" y="17" font-size="10" '
            f'fill="#333">{name}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _ticks(n: int) -> list[float]:
    plot_w = WIDTH - LEFT - RIGHT
    if n <= 1:
        return [LEFT + plot_w / 2]
    return [LEFT + plot_w * i / (n - 1) for i in range(n)]


def numeric_histograms(
    title: str, reference: Sequence[float], current: Sequence[float], bins: int = 30
) -> str:
    """Overlaid density histograms of the two samples on shared bins."""
    ref, cur = np.asarray(reference, float), np.asarray(current, float)
    both = np.concatenate([ref, cur])
    if both.size == 0:
        return _frame(title, [], 1.0, [(WIDTH / 2, "no values")])
    low, high = float(both.min()), float(both.max())
    if high <= low:
        high = low + 1.0
    edges = np.linspace(low, high, bins + 1)
    shares = [
        np.histogram(s, edges)[0] / max(s.size, 1) if s.size else np.zeros(bins)
        for s in (ref, cur)
    ]
    y_max = max(float(max(s.max() for s in shares)), 1e-9)

    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    bar_w = plot_w / bins
    body = []
    for colour, share in zip(COLOURS, shares, strict=True):
        for i, value in enumerate(share):
            h = plot_h * float(value) / y_max
            body.append(
                f'<rect x="{LEFT + i * bar_w:.1f}" y="{TOP + plot_h - h:.1f}" '
                f'width="{bar_w:.1f}" height="{h:.1f}" fill="{colour}" '
                'fill-opacity="0.55"/>'
            )
    values = np.linspace(low, high, 5)
    labels = [(x, f"{v:.3g}") for x, v in zip(_ticks(5), values, strict=True)]
    return _frame(title, body, y_max, labels)


def categorical_bars(
    title: str, reference: Sequence[object], current: Sequence[object]
) -> str:
    """Grouped bars of each category's share in the two samples."""
    ref = Counter(str(v) for v in reference if v not in (None, ""))
    cur = Counter(str(v) for v in current if v not in (None, ""))
    total_ref, total_cur = max(sum(ref.values()), 1), max(sum(cur.values()), 1)
    categories = [c for c, _ in (ref + cur).most_common(MAX_CATEGORIES)]
    if not categories:
        return _frame(title, [], 1.0, [(WIDTH / 2, "no values")])
    shares = [
        [counts[c] / total for c in categories]
        for counts, total in ((ref, total_ref), (cur, total_cur))
    ]
    y_max = max(max(s) for s in shares) or 1.0

    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(categories)
    body = []
    for k, (colour, share) in enumerate(zip(COLOURS, shares, strict=True)):
        for i, value in enumerate(share):
            h = plot_h * value / y_max
            x = LEFT + i * slot + slot * (0.1 + 0.4 * k)
            body.append(
                f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" '
                f'width="{slot * 0.4:.1f}" height="{h:.1f}" fill="{colour}" '
                'fill-opacity="0.8"/>'
            )
    every = max(1, len(categories) // 8)
    labels = [
        (LEFT + (i + 0.5) * slot, c[:10])
        for i, c in enumerate(categories)
        if i % every == 0
    ]
    return _frame(title, body, y_max, labels)
