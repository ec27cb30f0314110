"""Newest incidents: time, urgency, title, street, status and SLA state; no personal data.

An open incident past a warning threshold (临期) or its deadline (超期) shows that instead of
its status, coloured (what is about to breach matters more from across the room); the wall
redesign adds dedicated SLA panels.
"""

from __future__ import annotations

from typing import Any

from dash import html
from dash.development.base_component import Component

from dashboard.wall.hub import Change, Snapshot
from dashboard.wall.panels.base import Panel, PanelContext, Props, panel_title


def _row(ctx: PanelContext, item: dict[str, Any]) -> Component:
    street = ctx.registry.area(item["street"]) if item.get("street") else None
    urgent = item.get("urgency") == "urgent"
    return html.Li(
        className="gw-row" + (" urgent" if urgent else ""),
        children=[
            html.Span(item.get("reported_at", "")[11:16], className="gw-row-time"),
            html.Span(
                ("▲ " if urgent else "") + ctx.t(f"urgency.{item.get('urgency', 'normal')}"),
                className="gw-row-urgency",
            ),
            html.Span(item.get("title", ""), className="gw-row-title"),
            html.Span(street.name if street else "", className="gw-row-area"),
            html.Span(
                _status_text(ctx, item),
                className=f"gw-row-status s-{item.get('status', '')} sla-{item.get('sla', '')}",
            ),
        ],
        **{"data-id": item.get("id", "")},
    )


def _status_text(ctx: PanelContext, item: dict[str, Any]) -> str:
    sla = item.get("sla")
    if sla in ("warning", "overdue") and item.get("status") not in ("closed", "evaluated"):
        return ctx.t(f"sla.{sla}")
    return ctx.t(f"status.{item.get('status', '')}")


def _rows(ctx: PanelContext, snap: Snapshot) -> list[Component]:
    count = int(ctx.option("rows", ctx.settings.wall.recent_incidents))
    items = snap.recent[:count]
    if not items:
        return [html.Li(ctx.t("none_yet"), className="gw-row gw-empty")]
    return [_row(ctx, item) for item in items]


def render(ctx: PanelContext, snap: Snapshot) -> Component:
    return html.Div(
        className="gw-panel gw-incidents",
        children=[
            html.Div(panel_title(ctx, "newest"), className="gw-panel-title"),
            html.Ul(_rows(ctx, snap), id=ctx.cid("list"), className="gw-list"),
        ],
    )


def update(ctx: PanelContext, old: Snapshot, new: Snapshot, changes: list[Change]) -> Props:
    if new.recent == old.recent:
        return {}
    return {ctx.cid("list"): {"children": _rows(ctx, new)}}


PANEL = Panel(render=render, update=update)
