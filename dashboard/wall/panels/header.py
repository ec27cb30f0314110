"""Header: county and wall name, clock, "数据更新于 HH:MM:SS", connection and chime state.

The clock, the connection state and the chime state are kept by the browser
(``assets/wall.js``, no server polling); the freshness is pushed with every snapshot.
``compact`` makes it slimmer (for each screen of a multi-screen wall).
"""

from __future__ import annotations

from dash import html
from dash.development.base_component import Component

from dashboard.wall.hub import Change, Snapshot
from dashboard.wall.layouts import local
from dashboard.wall.panels.base import Panel, PanelContext, Props


def render(ctx: PanelContext, snap: Snapshot) -> Component:
    lang = ctx.t.language
    wall = local(ctx.spec.title, lang) or local(ctx.layout.title, lang) or ctx.layout.name
    title = f"{ctx.settings.county_name} · {wall}"
    return html.Div(
        className="gw-header" + (" compact" if ctx.opts.compact else ""),
        children=[
            html.Div(title, className="gw-header-title"),
            html.Div(
                className="gw-header-status",
                children=[
                    html.Span(
                        [
                            html.Span(ctx.t("updated_at") + " "),
                            html.Span(f"{snap.at:%H:%M:%S}", id=ctx.cid("fresh")),
                        ],
                        className="gw-fresh",
                    ),
                    html.Span("", className="gw-sound"),
                    html.Span(ctx.t("connected"), className="gw-conn ok"),
                    html.Span("--:--:--", className="gw-clock"),
                ],
            ),
        ],
    )


def update(ctx: PanelContext, old: Snapshot, new: Snapshot, changes: list[Change]) -> Props:
    if new.at == old.at:
        return {}
    return {ctx.cid("fresh"): {"children": f"{new.at:%H:%M:%S}"}}


PANEL = Panel(render=render, update=update)
