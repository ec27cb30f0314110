"""Plotly figures as plain dicts (no template: small payloads), styled for the wall."""

from __future__ import annotations

from typing import Any

from dashboard.wall.panels.base import PanelContext
from dashboard.wall.theme import COLORS, font_px

GRAPH_CONFIG: Any = {"displayModeBar": False, "staticPlot": True, "responsive": True}


def layout(ctx: PanelContext, **extra: Any) -> dict[str, Any]:
    tick = {"size": font_px(ctx.layout, 24), "color": COLORS["muted"]}
    axis = {
        "tickfont": tick,
        "gridcolor": COLORS["border"],
        "zeroline": False,
        "linecolor": COLORS["border"],
        "automargin": True,
    }
    found: dict[str, Any] = {
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {
            "family": "Noto Sans CJK SC, sans-serif",
            "color": COLORS["text"],
            "size": font_px(ctx.layout, 24),
        },
        "margin": {"l": 8, "r": 8, "t": 8, "b": 8},
        "xaxis": dict(axis),
        "yaxis": dict(axis),
        "showlegend": False,
        "autosize": True,
    }
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(found.get(key), dict):
            found[key] = {**found[key], **value}
        else:
            found[key] = value
    return found
