"""Backlog gauge: open incidents (在办事件) against a scale from the panel's options."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from dash import Patch, dcc, html
from dash.development.base_component import Component

from dashboard.wall.hub import Change, Snapshot
from dashboard.wall.panels.base import Panel, PanelContext, Props, panel_title
from dashboard.wall.theme import COLORS, font_px


def _figure(ctx: PanelContext, value: int) -> dict[str, Any]:
    scale = int(ctx.option("max", 500))
    warn, alarm = int(ctx.option("warn", scale * 0.6)), int(ctx.option("alarm", scale * 0.85))
    fig = go.Figure(
        go.Indicator(
            mode="gauge+number",
            value=value,
            number={"font": {"size": font_px(ctx.layout, 72), "color": COLORS["text"]}},
            gauge={
                "axis": {
                    "range": [0, max(scale, value)],
                    "tickfont": {"size": font_px(ctx.layout, 20), "color": COLORS["muted"]},
                },
                "bar": {"color": COLORS["accent"], "thickness": 0.35},
                "bgcolor": COLORS["panel"],
                "borderwidth": 0,
                "steps": [
                    {"range": [0, warn], "color": COLORS["step_ok"]},
                    {"range": [warn, alarm], "color": COLORS["step_warn"]},
                    {"range": [alarm, max(scale, value)], "color": COLORS["step_alarm"]},
                ],
            },
        )
    )
    fig.update_layout(
        paper_bgcolor="rgba(0,0,0,0)",
        margin={"l": 30, "r": 30, "t": 10, "b": 0},
        autosize=True,
    )
    figure: dict[str, Any] = fig.to_plotly_json()
    return figure


def render(ctx: PanelContext, snap: Snapshot) -> Component:
    return html.Div(
        className="gw-panel gw-gauge",
        children=[
            html.Div(panel_title(ctx, "open"), className="gw-panel-title"),
            dcc.Graph(
                id=ctx.cid("graph"),
                figure=_figure(ctx, snap.open_count),
                config={"displayModeBar": False, "staticPlot": True, "responsive": True},
                className="gw-graph",
            ),
            html.Div(
                [
                    html.Span(ctx.t("today") + " "),
                    html.Span(str(snap.today.get("received", 0)), id=ctx.cid("today")),
                    html.Span(" " + ctx.t("count_unit")),
                ],
                className="gw-gauge-foot",
            ),
        ],
    )


def update(ctx: PanelContext, old: Snapshot, new: Snapshot, changes: list[Change]) -> Props:
    props: Props = {}
    if new.open_count != old.open_count:
        if new.open_count > int(ctx.option("max", 500)) or old.open_count > int(
            ctx.option("max", 500)
        ):
            props[ctx.cid("graph")] = {"figure": _figure(ctx, new.open_count)}
        else:
            patch = Patch()
            patch["data"][0]["value"] = new.open_count
            props[ctx.cid("graph")] = {"figure": patch}
    received = new.today.get("received", 0)
    if received != old.today.get("received", 0):
        props[ctx.cid("today")] = {"children": str(received)}
    return props


PANEL = Panel(render=render, update=update)
