"""Feed health (数据源状态): sources down or in error first, cameras online and offline,
devices the registry does not know, refused input (异常数据) waiting in the dead letters."""

from __future__ import annotations

from dash import html
from dash.development.base_component import Component

from dashboard.wall.hub import Change, Snapshot
from dashboard.wall.panels.base import Panel, PanelContext, Props, frame
from dashboard.wall.snapshot import FeedHealth

#: Status words of ``gridwall.contract.health.status_of``, worst first, with their shapes.
ORDER = ("down", "error", "idle", "unknown", "disabled", "ok")
SHAPES = {"down": "■", "error": "▲", "idle": "◇", "unknown": "?", "disabled": "–", "ok": "●"}


def _figure(label: str, value: str, kind: str = "") -> Component:
    return html.Div(
        [html.Div(value, className="gw-hval"), html.Div(label, className="gw-hlab")],
        className="gw-hfig" + (f" {kind}" if kind else ""),
    )


def _body(ctx: PanelContext, health: FeedHealth) -> list[Component]:
    t = ctx.t
    offline = health.cameras_known - health.cameras_online
    figures = html.Div(
        [
            _figure(t("health.cameras_online"), f"{health.cameras_online}/{health.cameras_known}"),
            _figure(t("health.cameras_offline"), str(offline), "lv-warn" if offline else ""),
            _figure(
                t("health.unknown"),
                str(health.unknown_cameras),
                "lv-warn" if health.unknown_cameras else "",
            ),
            _figure(
                t("health.deadletters"),
                str(health.deadletters),
                "lv-warn" if health.deadletters else "",
            ),
        ],
        className="gw-hfigs",
    )
    sources = sorted(
        health.sources, key=lambda s: (ORDER.index(s[2]) if s[2] in ORDER else 9, s[0])
    )
    rows = [
        html.Div(
            [
                html.Span(name, className="gw-hname"),
                html.Span(
                    f"{SHAPES.get(status, '?')} {t('src.' + status)}",
                    className=f"gw-hstatus st-{status}",
                ),
            ],
            className="gw-hrow",
        )
        for _id, name, status in sources[: ctx.opts.sources]
    ]
    if not sources:
        rows = [html.Div(t("health.no_sources"), className="gw-empty")]
    return [figures, html.Div(rows, className="gw-hsources")]


def render(ctx: PanelContext, snap: Snapshot) -> Component:
    return frame(
        ctx,
        "health",
        "health",
        html.Div(_body(ctx, snap.health), id=ctx.cid("body"), className="gw-hbody"),
    )


def update(ctx: PanelContext, old: Snapshot, new: Snapshot, changes: list[Change]) -> Props:
    if new.health == old.health:
        return {}
    return {ctx.cid("body"): {"children": _body(ctx, new.health)}}


PANEL = Panel(render=render, update=update)
