"""Inline SVG charts for the briefing: vector, so they print crisp, and no script at all."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from dashboard.briefing.svgmap import FONT

BLUE, GREEN, GREY, INK = "#1d4ed8", "#15803d", "#cbd5e1", "#334155"


def nice_max(value: float) -> float:
    """A round upper bound for an axis (1, 2, 2.5, 5 × 10^n)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def _svg(width: int, height: int, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" font-family="{FONT}" font-size="10" fill="{INK}">' + "".join(body) + "</svg>"
    )


def line_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int], str]],
    width: int = 680,
    height: int = 200,
) -> str:
    """Lines over days (受理, 办结 ...), with the legend and the last values labelled."""
    left, right, top, bottom = 36, 30, 22, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = nice_max(max((max(v, default=0) for _, v, _ in series), default=0))
    step = plot_w / max(len(labels) - 1, 1)
    body = []
    for k in range(5):
        value = top_value * k / 4
        y = top + plot_h - plot_h * k / 4
        body.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GREY}" '
            f'stroke-width="0.6"/><text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">'
            f"{value:g}</text>"
        )
    every = max(1, math.ceil(len(labels) / 7))
    shown = set(range(len(labels) - 1, -1, -every))  # counted back from the last day
    for i, label in enumerate(labels):
        if i in shown:
            x = left + i * step
            body.append(
                f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle">{escape(label)}</text>'
            )
    for n, (name, values, colour) in enumerate(series):
        points = [
            (left + i * step, top + plot_h - plot_h * v / top_value) for i, v in enumerate(values)
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.8"/>')
        body.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="{colour}"/>' for x, y in points)
        if points:
            x, y = points[-1]
            body.append(
                f'<text x="{x + 5:.1f}" y="{y + 3:.1f}" fill="{colour}">{values[-1]}</text>'
            )
        body.append(
            f'<rect x="{left + n * 90}" y="4" width="12" height="3" fill="{colour}"/>'
            f'<text x="{left + n * 90 + 16}" y="9">{escape(name)}</text>'
        )
    return _svg(width, height, body)


def bar_chart(
    rows: Sequence[tuple[str, int, float]],
    names: tuple[str, str],
    width: int = 330,
    bar: int = 14,
) -> str:
    """Horizontal bars of the day's counts with a tick at the 7-day average."""
    left, right, top = 92, 34, 20
    height = top + len(rows) * (bar + 4) + 6
    plot_w = width - left - right
    top_value = nice_max(max([max(d, w) for _, d, w in rows], default=0))
    body = [
        f'<rect x="{left}" y="4" width="10" height="8" fill="{BLUE}"/>'
        f'<text x="{left + 14}" y="11">{escape(names[0])}</text>'
        f'<line x1="{left + 80}" x2="{left + 80}" y1="3" y2="13" stroke="{INK}" stroke-width="2"/>'
        f'<text x="{left + 86}" y="11">{escape(names[1])}</text>'
    ]
    for i, (label, day, week) in enumerate(rows):
        y = top + i * (bar + 4)
        w = plot_w * day / top_value
        tick = left + plot_w * week / top_value
        body.append(
            f'<text x="{left - 4}" y="{y + bar - 3}" text-anchor="end">{escape(label[:8])}</text>'
            f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar}" fill="{BLUE}"/>'
            f'<line x1="{tick:.1f}" x2="{tick:.1f}" y1="{y - 1}" y2="{y + bar + 1}" '
            f'stroke="{INK}" stroke-width="2"/>'
            f'<text x="{left + w + 4:.1f}" y="{y + bar - 3}">{day}</text>'
        )
    return _svg(width, height, body)
