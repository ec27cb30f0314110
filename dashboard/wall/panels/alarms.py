"""The alarm strip: urgent incidents (▲ 紧急), SLA breaches (■ 超期) and video alarms
(◆ 视频告警), unacknowledged first, then by priority, then newest.

Operators and admins see a 确认 button on each unacknowledged item (a role-checked callback
records who and when, ``dashboard.wall.acks``); kiosks show 未确认 / 已确认 <who> <when>.
A new unacknowledged item of priority ``wall.chime_priority`` or more urgent makes the screen
chime (outside ``wall.quiet_hours``; the browser plays it, ``assets/wall.js``).
"""

from __future__ import annotations

from typing import Any

from dash import ALL, Dash, Input, callback_context, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from dashboard.auth.dash import callback_roles
from dashboard.wall.acks import BadItem, acknowledge
from dashboard.wall.hub import Change, Snapshot
from dashboard.wall.listpatch import list_update
from dashboard.wall.panels.base import Panel, PanelContext, Props, data, frame, hhmm
from dashboard.wall.strip import AlarmItem, chime_due, is_quiet, parse_quiet_hours
from gridwall.access.roles import Role
from gridwall.runtime import Runtime
from gridwall.web.policy import current_auth

SHAPES = {"urgent": "▲", "breach": "■", "video": "◆"}
#: Who may acknowledge.
ACK_ROLES = (Role.OPERATOR, Role.ADMIN)
CHIME = "gw-chime"


def _items(ctx: PanelContext, snap: Snapshot) -> list[AlarmItem]:
    shown = [i for i in snap.alarms if i.priority <= ctx.opts.max_priority]
    return shown[: ctx.opts.rows]


def _ack(ctx: PanelContext, item: AlarmItem) -> Component:
    if item.ack is not None:
        return html.Span(
            f"✓ {ctx.t('ack.done')} {item.ack.by} {hhmm(item.ack.at, ctx)}",
            className="gw-a-ack done",
        )
    if ctx.can_ack:
        return html.Button(
            ctx.t("ack.button"),
            id={"type": "gw-ack", "item": item.key},
            n_clicks=0,
            className="gw-a-ack gw-ack-button",
        )
    return html.Span("", className="gw-a-ack pending")  # kiosks: new items stand out anyway


def _row(ctx: PanelContext, item: AlarmItem) -> Component:
    place = ctx.street_name(item.area) or ctx.area_name(item.area)
    return html.Li(
        className=f"gw-alarm k-{item.kind} p{item.priority}" + (" acked" if item.ack else ""),
        children=[
            html.Span(f"{SHAPES[item.kind]} {ctx.t('strip.' + item.kind)}", className="gw-a-kind"),
            html.Span(hhmm(item.at, ctx), className="gw-a-time"),
            html.Span(item.title, className="gw-a-title"),
            html.Span(place, className="gw-a-place"),
            _ack(ctx, item),
        ],
        **data("key", item.key),
    )


def _rows(ctx: PanelContext, snap: Snapshot) -> list[Component]:
    items = _items(ctx, snap)
    if not items:
        return [_empty(ctx)]
    return [_row(ctx, i) for i in items]


def _empty(ctx: PanelContext) -> Component:
    return html.Li(ctx.t("alarm.none"), className="gw-alarm gw-empty")


def render(ctx: PanelContext, snap: Snapshot) -> Component:
    ctx.state["chimes"] = 0
    return frame(
        ctx,
        "alarms",
        "alarms",
        html.Ul(_rows(ctx, snap), id=ctx.cid("list"), className="gw-alarm-list"),
    )


def _chime(ctx: PanelContext, old: Snapshot, new: Snapshot) -> dict[str, Any] | None:
    wall = ctx.settings.wall
    if not (wall.chime and ctx.opts.chime):
        return None
    due = [
        i
        for i in chime_due(old.alarms, new.alarms, wall.chime_priority)
        if i.priority <= ctx.opts.max_priority
    ]
    if not due or is_quiet(new.at, parse_quiet_hours(wall.quiet_hours)):
        return None
    ctx.state["chimes"] += 1
    return {"n": ctx.state["chimes"], "volume": wall.chime_volume, "key": due[0].key}


def update(ctx: PanelContext, old: Snapshot, new: Snapshot, changes: list[Change]) -> Props:
    props: Props = {}
    rows = list_update(
        _items(ctx, old),
        _items(ctx, new),
        key=lambda item: item.key,
        render=lambda item: _row(ctx, item),
        empty=lambda: _empty(ctx),
    )
    if rows is not None:
        props[ctx.cid("list")] = {"children": rows}
    chime = _chime(ctx, old, new)
    if chime is not None:
        props[CHIME] = {"data": chime}
    return props


PANEL = Panel(render=render, update=update)


def register(app: Dash, rt: Runtime) -> None:
    """The 确认 buttons: operators and admins only (kiosks see no button and are refused)."""

    @app.callback(Input({"type": "gw-ack", "item": ALL}, "n_clicks"), prevent_initial_call=True)
    @callback_roles(*ACK_ROLES)
    async def acknowledge_item(_clicks: list[int | None]) -> None:
        trigger = callback_context.triggered_id
        clicked = any(t.get("value") for t in callback_context.triggered)
        auth = current_auth.get()
        if not isinstance(trigger, dict) or not clicked or auth is None:
            raise PreventUpdate
        try:
            await acknowledge(rt, auth, str(trigger["item"]), callback_context.remote or "")
        except BadItem:
            raise PreventUpdate from None
