"""Category mix: today's reports by top-level category (largest first, the rest summed)."""

from __future__ import annotations

from typing import Any

from dash import dcc
from dash.development.base_component import Component

from dashboard.wall.hub import Change, Snapshot
from dashboard.wall.panels.base import Panel, PanelContext, Props, frame
from dashboard.wall.panels.charts import GRAPH_CONFIG, layout
from dashboard.wall.theme import COLORS

#: The value axis runs this far past the longest bar, so the figure beside it is never cut.
HEADROOM = 1.25


def _mix(ctx: PanelContext, snap: Snapshot) -> list[tuple[str, int]]:
    totals: dict[str, int] = {}
    for code, count in (snap.trend.categories if snap.trend else {}).items():
        category = ctx.registry.category(code)
        top = category.parent if category is not None and category.parent else code
        totals[top] = totals.get(top, 0) + count
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    named = [(_name(ctx, code), n) for code, n in ranked[: ctx.opts.top]]
    rest = sum(n for _code, n in ranked[ctx.opts.top :])
    if rest:
        named.append((ctx.t("cat.other"), rest))
    return named


def _name(ctx: PanelContext, code: str) -> str:
    category = ctx.registry.category(code)
    if category is None:
        return code
    return category.name_en if ctx.t.language == "en" and category.name_en else category.name


def _figure(ctx: PanelContext, mix: list[tuple[str, int]]) -> dict[str, Any]:
    names = [name for name, _n in reversed(mix)]
    values = [n for _name, n in reversed(mix)]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "x": values,
                "y": names,
                "text": values,
                "textposition": "outside",
                "cliponaxis": False,
                "marker": {"color": COLORS["accent"]},
            }
        ],
        "layout": layout(
            ctx,
            # room right of the longest bar for its figure (the margins are narrow)
            xaxis={"visible": False, "range": [0, max(values, default=1) * HEADROOM]},
            yaxis={"gridcolor": "rgba(0,0,0,0)"},
            bargap=0.3,
        ),
    }


def render(ctx: PanelContext, snap: Snapshot) -> Component:
    return frame(
        ctx,
        "categories",
        "categories",
        dcc.Graph(
            id=ctx.cid("graph"),
            figure=_figure(ctx, _mix(ctx, snap)),
            config=GRAPH_CONFIG,
            className="gw-graph",
        ),
    )


def update(ctx: PanelContext, old: Snapshot, new: Snapshot, changes: list[Change]) -> Props:
    mix = _mix(ctx, new)
    if mix == _mix(ctx, old):
        return {}
    return {ctx.cid("graph"): {"figure": _figure(ctx, mix)}}


PANEL = Panel(render=render, update=update)
