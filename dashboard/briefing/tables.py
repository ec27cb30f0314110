"""The briefing's numbered tables, as text cells: what the page, the file and the PDF show.

Cells are formatted once, here; the narrative takes its numbers from these very cells
(``dashboard.briefing.narrative``), so every number it says stands in a table of the same
briefing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from dashboard.briefing.model import Briefing, Count, Rates
from dashboard.briefing.texts import Format


@dataclass
class Row:
    key: str
    cells: dict[str, str]
    cls: str = ""


@dataclass
class Table:
    id: str
    caption: str
    columns: list[tuple[str, str]]
    rows: list[Row] = field(default_factory=list)
    note: str = ""
    empty: str = ""
    number: int = 0

    def cell(self, row: str, column: str) -> str:
        if row == "head":
            return dict(self.columns)[column]
        return next(r for r in self.rows if r.key == row).cells[column]

    def has_row(self, row: str) -> bool:
        return any(r.key == row for r in self.rows)


def _count_columns(f: Format, b: Briefing, name: str) -> list[tuple[str, str]]:
    t = f.t
    return [
        ("name", t[f"c.{name}"]),
        ("day", f.day(b.day)),
        ("previous", t["c.previous"]),
        ("delta", t["c.delta"]),
        ("delta_pct", t["c.delta_pct"]),
        ("week_avg", t["c.week_avg"]),
        ("vs_week", t["c.vs_week"]),
        ("share", t["c.share"]),
    ]


def _count_row(f: Format, key: str, name: str, c: Count) -> Row:
    return Row(
        key,
        {
            "name": name,
            "day": f.count(c.day),
            "previous": f.count(c.previous),
            "delta": f.delta(c.day, c.previous),
            "delta_pct": f.change(c.day, c.previous),
            "week_avg": f.average(c.week_avg),
            "vs_week": f.change(c.day, c.week_avg),
            "share": f.rate(c.share),
        },
        "total" if key == "total" else "",
    )


def _counts(
    f: Format, b: Briefing, id_: str, name: str, rows: Sequence[Count], *, source: bool = False
) -> Table:
    table = Table(id_, f.t[f"t.{id_}"], _count_columns(f, b, name))
    table.rows.append(_count_row(f, "total", f.t["r.total"], b.total))
    for c in rows:
        label = f.source(c.key) if source else c.name
        table.rows.append(_count_row(f, c.key or "other", label or f.t["other"], c))
    return table


def _closure(f: Format, b: Briefing) -> Table:
    t = f.t
    table = Table(
        "closure",
        t["t.closure"],
        [
            ("name", t["c.figure"]),
            ("day", f.day(b.day)),
            ("previous", t["c.previous"]),
            ("week", t["c.week"]),
        ],
    )
    periods: tuple[Rates, Rates, Rates] = (b.closure, b.closure_previous, b.closure_week)
    for key in ("received", "closures", "due", "closed", "closed_on_time"):
        values = [f.count(getattr(p, key)) for p in periods]
        table.rows.append(
            Row(
                key,
                dict(
                    zip(["name", "day", "previous", "week"], [t[f"r.{key}"], *values], strict=True)
                ),
            )
        )
    for key in ("close_rate", "on_time_rate"):
        values = [f.rate(getattr(p, key)) for p in periods]
        table.rows.append(
            Row(
                key,
                dict(
                    zip(["name", "day", "previous", "week"], [t[f"r.{key}"], *values], strict=True)
                ),
                "em",
            )
        )
    return table


def _backlog(f: Format, b: Briefing) -> Table:
    t = f.t
    table = Table("backlog", t["t.backlog"], [("name", t["c.figure"]), ("value", t["c.value"])])
    table.rows.append(Row("as_of", {"name": t["r.as_of"], "value": f.moment(b.as_of)}))
    for key in ("open", "overdue", "near_deadline"):
        value = f.count(getattr(b.backlog, key))
        table.rows.append(Row(key, {"name": t[f"r.{key}"], "value": value}))
    return table


def _overdue(f: Format, b: Briefing) -> Table:
    t = f.t
    columns = [
        ("id", t["c.id"]),
        ("title", t["c.title"]),
        ("category", t["c.category"]),
        ("street", t["c.street"]),
        ("lead", t["c.lead"]),
        ("stage", t["c.stage"]),
        ("overdue_for", t["c.overdue_for"]),
    ]
    table = Table("overdue", t["t.overdue"], columns, empty=t["no_overdue"])
    for case in b.overdue:
        since = (b.as_of - case.overdue_since).total_seconds()
        table.rows.append(
            Row(
                case.id,
                {
                    "id": case.id,
                    "title": case.title,
                    "category": case.category,
                    "street": case.street,
                    "lead": case.lead or "—",
                    "stage": f.stage(case.stage),
                    "overdue_for": f.duration(since),
                },
            )
        )
    return table


def _departments(f: Format, b: Briefing) -> Table:
    t = f.t
    columns = [
        ("rank", t["c.rank"]),
        ("name", t["c.department"]),
        ("due", t["c.due"]),
        ("closed", t["c.closed"]),
        ("on_time", t["c.on_time"]),
        ("close_rate", t["c.close_rate"]),
        ("on_time_rate", t["c.on_time_rate"]),
        ("handling", t["c.handling_median"]),
    ]
    note = t["ranking_note"].format(
        start=f.day(b.ranking_from), end=f.day(b.day), min=b.min_sample, unranked=b.unranked
    )
    table = Table("departments", t["t.departments"], columns, note=note, empty=t["no_ranking"])
    last = len(b.departments)
    for d in b.departments:
        cls = "best" if d.rank <= min(3, last // 2 or 1) else ""
        cls = "worst" if last > 1 and d.rank > last - min(3, last // 2) else cls
        table.rows.append(
            Row(
                d.key,
                {
                    "rank": str(d.rank),
                    "name": d.name,
                    "due": f.count(d.due),
                    "closed": f.count(d.closed),
                    "on_time": f.count(d.closed_on_time),
                    "close_rate": f.rate(d.close_rate),
                    "on_time_rate": f.rate(d.on_time_rate),
                    "handling": f.duration(d.handling_median_s),
                },
                cls,
            )
        )
    return table


def _hotspots(f: Format, b: Briefing) -> Table:
    t = f.t
    columns = [
        ("rank", t["c.rank"]),
        ("name", t["c.grid"]),
        ("community", t["c.community"]),
        ("street", t["c.street"]),
        ("received", t["c.received"]),
        ("top_category", t["c.top_category"]),
    ]
    table = Table("hotspots", t["t.hotspots"], columns, empty=t["no_data"])
    for h in b.hotspots:
        table.rows.append(
            Row(
                h.grid,
                {
                    "rank": str(h.rank),
                    "name": h.name,
                    "community": h.community,
                    "street": h.street,
                    "received": f.count(h.received),
                    "top_category": h.top_category,
                },
            )
        )
    return table


def _alarms(f: Format, b: Briefing) -> list[Table]:
    t = f.t
    alarms = Table(
        "alarms",
        t["t.alarms"],
        [("name", t["c.figure"]), ("value", t["c.value"])],
        empty=t["no_alarm_data"],
    )
    cameras = Table(
        "cameras",
        t["t.cameras"],
        [("name", t["c.camera"]), ("street", t["c.street"]), ("count", t["c.alarms"])],
        empty=t["no_data"],
    )
    a = b.alarms
    if a is not None:
        for key, value in (
            ("received", a.received),
            ("merged", a.merged),
            ("distinct", a.distinct),
            ("opened", a.opened),
            ("unknown", a.unknown),
        ):
            alarms.rows.append(Row(key, {"name": t[f"r.alarms_{key}"], "value": f.count(value)}))
        for cam in a.cameras or []:
            cameras.rows.append(
                Row(
                    cam.id,
                    {"name": cam.name, "street": cam.street or "—", "count": f.count(cam.count)},
                )
            )
    return [alarms, cameras]


def _quality(f: Format, b: Briefing) -> Table:
    t = f.t
    note = t["duplicates_note"].format(minutes=f"{b.duplicate_window_min:g}")
    table = Table(
        "quality", t["t.quality"], [("name", t["c.figure"]), ("value", t["c.value"])], note=note
    )
    q = b.quality
    for key in (
        "reports",
        "without_location",
        "duplicates",
        "late",
        "unknown_cameras",
        "deadletters",
    ):
        label = t[f"r.{key}"].format(hours=f"{b.late_after_h:g}")
        table.rows.append(Row(key, {"name": label, "value": f.count(getattr(q, key))}))
    return table


def _trend(f: Format, b: Briefing) -> Table:
    t = f.t
    columns = [
        ("day", ""),
        ("received", t["r.received"]),
        ("closures", t["r.closures"]),
        ("due", t["r.due"]),
        ("close_rate", t["r.close_rate"]),
        ("on_time_rate", t["r.on_time_rate"]),
    ]
    table = Table("trend", t["t.trend"].format(days=len(b.trend)), columns)
    for d in b.trend:
        table.rows.append(
            Row(
                d.day.isoformat(),
                {
                    "day": f.day(d.day),
                    "received": f.count(d.received),
                    "closures": f.count(d.closures),
                    "due": f.count(d.due),
                    "close_rate": f.rate(d.close_rate),
                    "on_time_rate": f.rate(d.on_time_rate),
                },
            )
        )
    return table


def build_tables(b: Briefing, f: Format) -> dict[str, Table]:
    """Every table of the briefing, numbered in the order they appear."""
    tables = [
        _counts(f, b, "sources", "source", b.sources, source=True),
        _closure(f, b),
        _counts(f, b, "categories", "category", b.categories),
        _backlog(f, b),
        _quality(f, b),
        _counts(f, b, "streets", "street", b.streets),
        _overdue(f, b),
        _departments(f, b),
        _hotspots(f, b),
        *_alarms(f, b),
        _trend(f, b),
    ]
    for number, table in enumerate(tables, start=1):
        table.number = number
    return {table.id: table for table in tables}
