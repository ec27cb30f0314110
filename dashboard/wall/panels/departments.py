"""Department metrics (部门考核): lead departments' (主办) cases received, 按期结案率, median
response (签收: dispatch → sign for) and overdue now, ranked (红黑榜) over the last
``wall.metrics_days`` days; only departments with at least ``metrics.min_sample`` due cases
are ranked, so one case closed on time cannot top the board. The best is marked ★ 首位, the
worst ▼ 末位 (words and shapes, not only colour).

The figures come from ``dashboard.metrics`` in the push hub (once per process every
``wall.metrics_s``), never from a callback.
"""

from __future__ import annotations

from typing import Any

from dash import html
from dash.development.base_component import Component

from dashboard.wall.hub import Change, Snapshot
from dashboard.wall.panels.base import Panel, PanelContext, Props, frame


def duration(seconds: float | None, ctx: PanelContext) -> str:
    if seconds is None:
        return "—"
    if seconds < 3600:
        return ctx.t("dur.min", n=max(1, round(seconds / 60)))
    if seconds < 86400:
        return ctx.t("dur.hour", n=f"{seconds / 3600:.1f}")
    return ctx.t("dur.day", n=f"{seconds / 86400:.1f}")


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _mark(row: dict[str, Any], best: int | None, worst: int | None, ctx: PanelContext) -> str:
    if row["rank"] is not None and row["rank"] == worst and worst != best:
        return "▼ " + ctx.t("dept.worst")
    if row["rank"] is not None and row["rank"] == best:
        return "★ " + ctx.t("dept.best")
    return ""


def _rows(ctx: PanelContext, snap: Snapshot) -> list[Component]:
    rows = list(snap.departments)
    ranks = [r["rank"] for r in rows if r["rank"] is not None]
    best, worst = (min(ranks), max(ranks)) if ranks else (None, None)
    shown = rows[: ctx.opts.rows]
    if worst is not None and not any(r["rank"] == worst for r in shown):
        shown[-1:] = [r for r in rows if r["rank"] == worst]  # the worst is always shown
    head = html.Div(
        [
            html.Span(ctx.t(k))
            for k in (
                "dept.rank",
                "dept.name",
                "dept.received",
                "dept.on_time",
                "dept.sign",
                "dept.overdue",
            )
        ],
        className="gw-drow gw-dhead",
    )
    if not shown:
        return [head, html.Div(ctx.t("dept.none"), className="gw-empty")]
    body = []
    for row in shown:
        department = ctx.registry.department(row["key"])
        mark = _mark(row, best, worst, ctx)
        kind = " worst" if mark.startswith("▼") else " best" if mark else ""
        body.append(
            html.Div(
                [
                    html.Span(
                        str(row["rank"]) if row["rank"] is not None else "—", className="gw-drank"
                    ),
                    html.Span(
                        [
                            department.name if department else row["key"],
                            html.Span(mark, className="gw-dmark") if mark else None,
                        ],
                        className="gw-dname",
                    ),
                    html.Span(str(row["received"]), className="gw-num"),
                    html.Span(
                        _rate(row["on_time_rate"])
                        + ("" if row["ranked"] or row["on_time_rate"] is None else "*"),
                        className="gw-num",
                    ),
                    html.Span(duration(row.get("sign_median_s"), ctx), className="gw-num"),
                    html.Span(
                        ("■ " if row["overdue"] else "") + str(row["overdue"]),
                        className="gw-num" + (" lv-alarm" if row["overdue"] else ""),
                    ),
                ],
                className="gw-drow" + kind + ("" if row["ranked"] else " unranked"),
            )
        )
    return [head, *body]


def render(ctx: PanelContext, snap: Snapshot) -> Component:
    note = ctx.t(
        "dept.note", days=ctx.settings.wall.metrics_days, n=ctx.settings.metrics.min_sample
    )
    return frame(
        ctx,
        "departments",
        "departments",
        html.Div(_rows(ctx, snap), id=ctx.cid("table"), className="gw-dtable"),
        html.Div(note, className="gw-note"),
    )


def update(ctx: PanelContext, old: Snapshot, new: Snapshot, changes: list[Change]) -> Props:
    if new.departments == old.departments:
        return {}
    return {ctx.cid("table"): {"children": _rows(ctx, new)}}


PANEL = Panel(render=render, update=update)
