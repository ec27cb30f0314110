"""Header: county and wall name, clock, "数据更新于 HH:MM:SS", connection state."""

from __future__ import annotations

from dash import html
from dash.development.base_component import Component

from dashboard.wall.hub import Change, Snapshot
from dashboard.wall.panels.base import Panel, PanelContext, Props


def render(ctx: PanelContext, snap: Snapshot) -> Component:
    title = f"{ctx.settings.county_name} · {ctx.layout.title or ctx.layout.name}"
    return html.Div(
        className="gw-header",
        children=[
            html.Div(title, className="gw-header-title"),
            html.Div(
                className="gw-header-status",
                children=[
                    html.Span(
                        [
                            html.Span(ctx.t("updated_at") + " "),
                            html.Span(f"{snap.at:%H:%M:%S}", id="gw-fresh"),
                        ],
                        className="gw-fresh",
                    ),
                    html.Span(ctx.t("connected"), id="gw-conn", className="gw-conn ok"),
                    html.Span("--:--:--", id="gw-clock", className="gw-clock"),
                ],
            ),
        ],
    )


def update(ctx: PanelContext, old: Snapshot, new: Snapshot, changes: list[Change]) -> Props:
    if new.at == old.at:
        return {}
    return {"gw-fresh": {"children": f"{new.at:%H:%M:%S}"}}


PANEL = Panel(render=render, update=update)
