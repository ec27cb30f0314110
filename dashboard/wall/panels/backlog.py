"""Backlog gauges: open (在办), 临期 and 超期 for the county and for each street or town.

Thresholds come from the settings (``wall.backlog``): below the first a figure is normal (●),
from it high (▲, orange), from the second too high (■, vermillion) — a shape and a word as
well as a colour. The county's three are bar gauges with both thresholds marked; the streets
are a table whose open counts are bars too. When every street
fits, rows keep the registry's order and pushes patch only the cells that changed; when the
panel shows fewer rows than there are streets, it shows the worst first.
"""

from __future__ import annotations

from typing import Any

from dash import html
from dash.development.base_component import Component

from dashboard.wall.hub import Change, Snapshot
from dashboard.wall.panels.base import Panel, PanelContext, Props, frame
from gridwall.refdata.model import Level

LEVELS = ("ok", "warn", "alarm")
SHAPES = {"ok": "●", "warn": "▲", "alarm": "■"}
FIGURES = ("open", "near", "overdue")
Row = tuple[str, str, int, int, int]


def level(value: int, thresholds: tuple[int, int]) -> str:
    warn, alarm = thresholds
    return "alarm" if value >= alarm > 0 else "warn" if value >= warn > 0 else "ok"


def _county(snap: Snapshot) -> dict[str, int]:
    return {
        "open": snap.open_count,
        "near": snap.sla.get("warning", 0),
        "overdue": snap.sla.get("overdue", 0),
    }


def _gauge_props(ctx: PanelContext, figure: str, value: int) -> Props:
    """A county gauge: the number, its state word and a bar with the two thresholds marked
    (full at 1.25 × the alarm threshold)."""
    limits: tuple[int, int] = getattr(ctx.settings.wall.backlog, f"county_{figure}")
    lv = level(value, limits)
    full = max(limits[1] * 1.25, value, 1)
    style = {
        "--p": f"{min(value / full, 1):.3f}",
        "--w": f"{limits[0] / full:.3f}",
        "--a": f"{limits[1] / full:.3f}",
    }
    return {
        ctx.cid(f"gauge-{figure}"): {"className": f"gw-gauge lv-{lv}", "style": style},
        ctx.cid(f"value-{figure}"): {"children": str(value)},
        ctx.cid(f"state-{figure}"): {"children": f"{SHAPES[lv]} {ctx.t('level.' + lv)}"},
    }


def _gauge(ctx: PanelContext, figure: str, value: int) -> Component:
    props = _gauge_props(ctx, figure, value)
    gauge = props[ctx.cid(f"gauge-{figure}")]
    return html.Div(
        id=ctx.cid(f"gauge-{figure}"),
        className=gauge["className"],
        style=gauge["style"],
        children=[
            html.Div(ctx.t(f"backlog.{figure}"), className="gw-gauge-label"),
            html.Div(str(value), id=ctx.cid(f"value-{figure}"), className="gw-gauge-value"),
            html.Div(html.I(), className="gw-gauge-bar"),
            html.Div(
                props[ctx.cid(f"state-{figure}")]["children"],
                id=ctx.cid(f"state-{figure}"),
                className="gw-gauge-state",
            ),
        ],
    )


def _rows(ctx: PanelContext, snap: Snapshot) -> list[Row]:
    rows = []
    for street in ctx.registry.by_level(Level.STREET):
        near, over = snap.area_sla.get(street.code, (0, 0))
        rows.append((street.code, street.name, snap.by_area.get(street.code, 0), near, over))
    if ctx.opts.streets < len(rows):
        rows.sort(key=lambda r: (-r[4], -r[3], -r[2], r[0]))
        rows = rows[: ctx.opts.streets]
    return rows


def _fits(ctx: PanelContext) -> bool:
    return bool(ctx.opts.streets >= len(ctx.registry.by_level(Level.STREET)))


def _cell(ctx: PanelContext, code: str, figure: str, value: int) -> dict[str, Any]:
    """A street's figure: its number (with ▲/■ past a threshold); the open count is also a
    bar, full at 1.25 × the alarm threshold."""
    limits: tuple[int, int] = getattr(ctx.settings.wall.backlog, f"street_{figure}")
    lv = level(value, limits)
    shape = "" if lv == "ok" else SHAPES[lv] + " "
    found: dict[str, Any] = {"children": f"{shape}{value}", "className": f"gw-num lv-{lv}"}
    if figure == "open":
        full = max(limits[1] * 1.25, 1)
        found["className"] = f"gw-num gw-bar lv-{lv}"
        found["style"] = {"--p": f"{min(value / full, 1):.3f}"}
    return found


def _table(ctx: PanelContext, rows: list[Row]) -> list[Component]:
    head = html.Div(
        [html.Span(ctx.t("backlog.street")), *(html.Span(ctx.t(f"backlog.{f}")) for f in FIGURES)],
        className="gw-brow gw-bhead",
    )
    body = [
        html.Div(
            [
                html.Span(name, className="gw-bname"),
                *(
                    html.Span(id=ctx.cid(f"{code}-{f}"), **_cell(ctx, code, f, v))
                    for f, v in zip(FIGURES, values, strict=True)
                ),
            ],
            className="gw-brow",
        )
        for code, name, *values in rows
    ]
    return [head, *body]


def render(ctx: PanelContext, snap: Snapshot) -> Component:
    parts: list[Component] = []
    if ctx.opts.county:
        county = _county(snap)
        parts.append(html.Div([_gauge(ctx, f, county[f]) for f in FIGURES], className="gw-gauges"))
    if ctx.opts.streets:
        parts.append(
            html.Div(_table(ctx, _rows(ctx, snap)), id=ctx.cid("streets"), className="gw-btable")
        )
    return frame(ctx, "backlog", "backlog", *parts)


def update(ctx: PanelContext, old: Snapshot, new: Snapshot, changes: list[Change]) -> Props:
    props: Props = {}
    if ctx.opts.county:
        before, after = _county(old), _county(new)
        for figure in FIGURES:
            if before[figure] != after[figure]:
                props.update(_gauge_props(ctx, figure, after[figure]))
    if not ctx.opts.streets:
        return props
    was, now = _rows(ctx, old), _rows(ctx, new)
    if was == now:
        return props
    if not _fits(ctx):
        props[ctx.cid("streets")] = {"children": _table(ctx, now)}
        return props
    for (code, _name, *a), (_c, _n, *b) in zip(was, now, strict=True):
        for figure, x, y in zip(FIGURES, a, b, strict=True):
            if x != y:
                props[ctx.cid(f"{code}-{figure}")] = _cell(ctx, code, figure, y)
    return props


PANEL = Panel(render=render, update=update)
