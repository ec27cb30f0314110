"""Newest incidents: time, urgency, title, street, status and SLA state; no personal data.

An open incident past a warning threshold (临期) or its deadline (超期) shows that instead of
its status, coloured and with a shape (▲, ■): what is about to breach matters more from
across the room.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from dash import html
from dash.development.base_component import Component

from dashboard.wall.hub import Change, Snapshot
from dashboard.wall.listpatch import list_update
from dashboard.wall.panels.base import Panel, PanelContext, Props, data, frame

SLA_SHAPES = {"warning": "▲ ", "overdue": "■ "}


def _row(ctx: PanelContext, item: dict[str, Any]) -> Component:
    urgent = item.get("urgency") == "urgent"
    return html.Li(
        className="gw-row" + (" urgent" if urgent else ""),
        children=[
            html.Span(_when(item.get("reported_at", ""), ctx), className="gw-row-time"),
            html.Span(
                ("▲ " if urgent else "") + ctx.t(f"urgency.{item.get('urgency', 'normal')}"),
                className="gw-row-urgency",
            ),
            html.Span(item.get("title", ""), className="gw-row-title"),
            html.Span(ctx.area_name(item.get("street")), className="gw-row-area"),
            html.Span(
                _status_text(ctx, item),
                className=f"gw-row-status s-{item.get('status', '')} sla-{item.get('sla', '')}",
            ),
        ],
        **data("id", item.get("id", "")),
    )


def _when(reported_at: str, ctx: PanelContext) -> str:
    """HH:MM today, MM-DD before."""
    if not reported_at:
        return ""
    moment = datetime.fromisoformat(reported_at).astimezone(ZoneInfo(ctx.settings.timezone))
    today = datetime.now(moment.tzinfo).date()
    return f"{moment:%H:%M}" if moment.date() == today else f"{moment:%m-%d}"


def _status_text(ctx: PanelContext, item: dict[str, Any]) -> str:
    sla = item.get("sla")
    if sla in ("warning", "overdue") and item.get("status") not in ("closed", "evaluated"):
        return SLA_SHAPES[sla] + ctx.t(f"sla.{sla}")
    return ctx.t(f"status.{item.get('status', '')}")


def _rows(ctx: PanelContext, snap: Snapshot) -> list[Component]:
    count = ctx.opts.rows or ctx.settings.wall.recent_incidents
    items = snap.recent[:count]
    if not items:
        return [_empty(ctx)]
    return [_row(ctx, item) for item in items]


def _empty(ctx: PanelContext) -> Component:
    return html.Li(ctx.t("none_yet"), className="gw-row gw-empty")


def render(ctx: PanelContext, snap: Snapshot) -> Component:
    return frame(
        ctx,
        "newest",
        "incidents",
        html.Ul(_rows(ctx, snap), id=ctx.cid("list"), className="gw-list"),
    )


def update(ctx: PanelContext, old: Snapshot, new: Snapshot, changes: list[Change]) -> Props:
    count = ctx.opts.rows or ctx.settings.wall.recent_incidents
    rows = list_update(
        old.recent[:count],
        new.recent[:count],
        key=lambda item: item.get("id"),
        render=lambda item: _row(ctx, item),
        empty=lambda: _empty(ctx),
    )
    return {} if rows is None else {ctx.cid("list"): {"children": rows}}


PANEL = Panel(render=render, update=update)
