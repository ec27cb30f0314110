"""Trend: today's intake per hour (bars) against the average of the same hour over the last
``wall.metrics_days`` days (a line), from ``Queries.intake_trend``. Pushes patch only the
values that changed."""

from __future__ import annotations

from typing import Any

from dash import Patch, dcc, html
from dash.development.base_component import Component

from dashboard.wall.hub import Change, Snapshot
from dashboard.wall.panels.base import Panel, PanelContext, Props, frame
from dashboard.wall.panels.charts import GRAPH_CONFIG, layout
from dashboard.wall.theme import COLORS, font_px

HOURS = list(range(24))


def _values(snap: Snapshot) -> tuple[list[int], list[float]]:
    if snap.trend is None:
        return [0] * 24, [0.0] * 24
    return snap.trend.today, [round(v, 1) for v in snap.trend.average]


def _figure(ctx: PanelContext, today: list[int], average: list[float]) -> dict[str, Any]:
    return {
        "data": [
            {
                "type": "bar",
                "x": HOURS,
                "y": today,
                "name": ctx.t("trend.today"),
                "marker": {"color": COLORS["accent"]},
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": HOURS,
                "y": average,
                "name": ctx.t("trend.average", days=ctx.settings.wall.metrics_days),
                "line": {
                    "color": COLORS["warning"],
                    "width": font_px(ctx.layout, 4),
                    "dash": "dash",
                },
                "marker": {"symbol": "diamond", "size": font_px(ctx.layout, 9)},
            },
        ],
        "layout": layout(
            ctx,
            xaxis={"dtick": 3, "ticksuffix": ctx.t("trend.hour_suffix")},
            yaxis={"rangemode": "tozero", "autorangeoptions": {"include": [0, 4]}},
            bargap=0.25,
        ),
    }


def render(ctx: PanelContext, snap: Snapshot) -> Component:
    today, average = _values(snap)
    legend = html.Div(
        [
            html.Span([html.I(className="gw-key-bar"), ctx.t("trend.today")]),
            html.Span(
                [
                    html.I("◆ ╌", className="gw-key-line"),
                    ctx.t("trend.average", days=ctx.settings.wall.metrics_days),
                ]
            ),
        ],
        className="gw-chart-keys",
    )
    return frame(
        ctx,
        "trend",
        "trend",
        dcc.Graph(
            id=ctx.cid("graph"),
            figure=_figure(ctx, today, average),
            config=GRAPH_CONFIG,
            className="gw-graph",
        ),
        extra=legend,
    )


def update(ctx: PanelContext, old: Snapshot, new: Snapshot, changes: list[Change]) -> Props:
    (t0, a0), (t1, a1) = _values(old), _values(new)
    if (t0, a0) == (t1, a1):
        return {}
    patch = Patch()
    for hour in HOURS:
        if t0[hour] != t1[hour]:
            patch["data"][0]["y"][hour] = t1[hour]
        if a0[hour] != a1[hour]:
            patch["data"][1]["y"][hour] = a1[hour]
    return {ctx.cid("graph"): {"figure": patch}}


PANEL = Panel(render=render, update=update)
