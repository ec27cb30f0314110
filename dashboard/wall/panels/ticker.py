"""Ticker: the newest events in one line, newest first (上报, 结案, 超期, 视频告警)."""

from __future__ import annotations

from dash import html
from dash.development.base_component import Component

from dashboard.wall.hub import Change, Snapshot
from dashboard.wall.listpatch import list_update
from dashboard.wall.panels.base import Panel, PanelContext, Props, data, hhmm, panel_title
from dashboard.wall.ticker import TickerItem

SHAPES = {"report": "●", "close": "✓", "breach": "■", "video": "◆"}


def _chip(ctx: PanelContext, item: TickerItem) -> html.Span:
    place = ctx.street_name(item.area)
    return html.Span(
        [
            html.B(hhmm(item.at, ctx)),
            f" {SHAPES[item.kind]} {ctx.t('tick.' + item.kind)} ",
            html.Span(place + " " if place else "", className="gw-t-place"),
            item.title,
        ],
        className=f"gw-tick k-{item.kind}",
        **data("key", item.key),
    )


def _items(ctx: PanelContext, snap: Snapshot) -> list[TickerItem]:
    return list(snap.ticker[: ctx.opts.items])


def _chips(ctx: PanelContext, snap: Snapshot) -> list[Component]:
    items = _items(ctx, snap)
    if not items:
        return [_empty(ctx)]
    return [_chip(ctx, i) for i in items]


def _empty(ctx: PanelContext) -> Component:
    return html.Span(ctx.t("none_yet"), className="gw-empty")


def render(ctx: PanelContext, snap: Snapshot) -> Component:
    return html.Div(
        [
            html.Span(panel_title(ctx, "ticker"), className="gw-ticker-name"),
            html.Div(_chips(ctx, snap), id=ctx.cid("line"), className="gw-ticker-line"),
        ],
        className="gw-panel gw-ticker",
    )


def update(ctx: PanelContext, old: Snapshot, new: Snapshot, changes: list[Change]) -> Props:
    chips = list_update(
        _items(ctx, old),
        _items(ctx, new),
        key=lambda item: item.key,
        render=lambda item: _chip(ctx, item),
        empty=lambda: _empty(ctx),
    )
    return {} if chips is None else {ctx.cid("line"): {"children": chips}}


PANEL = Panel(render=render, update=update)
