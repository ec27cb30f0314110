"""The briefing's short narrative (简要分析), written by templates from the tables' own cells.

A sentence is a list of segments: plain words (no digits), figures (``Fig``: the text of one
cell of one table, named by table, row and column) and table references (``Ref``). Every number
the narrative says is thus a cell of a table in the same briefing; the page marks each figure
with the cell it comes from (``data-ref``, ``data-cell``) and the tests check them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.briefing.model import Briefing
from dashboard.briefing.tables import Table
from dashboard.briefing.texts import Format


@dataclass(frozen=True)
class Fig:
    table: str
    row: str
    column: str
    text: str


@dataclass(frozen=True)
class Ref:
    table: str
    text: str


Segment = str | Fig | Ref
Sentence = list[Segment]


class _Writer:
    def __init__(self, tables: dict[str, Table], f: Format) -> None:
        self.tables = tables
        self.f = f

    def fig(self, table: str, row: str, column: str, *, unsigned: bool = False) -> Fig:
        text = self.tables[table].cell(row, column)
        if unsigned:
            text = text.lstrip("+−-")
        return Fig(table, row, column, text)

    def ref(self, table: str) -> Ref:
        number = self.tables[table].number
        return Ref(table, f"（表{number}）" if self.f.zh else f" (table {number})")

    def sign(self, table: str, row: str, column: str) -> str:
        return self.tables[table].cell(row, column)[:1]


def _intake(w: _Writer, b: Briefing) -> list[Sentence]:
    zh = w.f.zh
    day = w.fig("sources", "head", "day")
    total = w.fig("sources", "total", "day")
    sentence: Sentence = [
        day,
        "，全区受理事件" if zh else ": ",
        total,
        "件" if zh else " cases received",
    ]
    delta = w.sign("sources", "total", "delta")
    if delta == "0":
        sentence.append("，与前一日持平" if zh else ", as many as the day before")
    else:
        up = delta == "+"
        sentence += [
            ("，较前一日增加" if up else "，较前一日减少")
            if zh
            else (", up " if up else ", down "),
            w.fig("sources", "total", "delta", unsigned=True),
            "件" if zh else "",
        ]
        if w.tables["sources"].cell("total", "delta_pct") != "—":
            sentence += [
                "（" if zh else " (",
                w.fig("sources", "total", "delta_pct", unsigned=True),
                "）" if zh else ") on the day before",
            ]
    vs = w.sign("sources", "total", "vs_week")
    if vs in "+−" and zh:
        sentence += [
            "，较",
            w.fig("sources", "head", "week_avg"),
            w.fig("sources", "total", "week_avg"),
            "件" + ("高" if vs == "+" else "低"),
            w.fig("sources", "total", "vs_week", unsigned=True),
        ]
    elif vs in "+−":
        sentence += [
            "; ",
            w.fig("sources", "total", "vs_week", unsigned=True),
            " higher than the " if vs == "+" else " lower than the ",
            w.fig("sources", "head", "week_avg"),
            " of ",
            w.fig("sources", "total", "week_avg"),
        ]
    sentence += [w.ref("sources"), "。" if zh else "."]
    found = [sentence]
    if b.total.day and b.sources and b.categories and b.streets:
        source, category, street = b.sources[0], b.categories[0], b.streets[0]
        found.append(
            [
                "其中" if zh else "Most came from ",
                w.fig("sources", source.key or "other", "name"),
                "" if zh else ": ",
                w.fig("sources", source.key or "other", "day"),
                "件，占" if zh else ", ",
                w.fig("sources", source.key or "other", "share"),
                w.ref("sources"),
                "；" if zh else "; the largest category was ",
                w.fig("categories", category.key or "other", "name"),
                "最多，" if zh else " with ",
                w.fig("categories", category.key or "other", "day"),
                "件" if zh else "",
                w.ref("categories"),
                "；" if zh else "; the busiest street was ",
                w.fig("streets", street.key or "other", "name"),
                "受理" if zh else " with ",
                w.fig("streets", street.key or "other", "day"),
                "件，居各街道之首" if zh else "",
                w.ref("streets"),
                "。" if zh else ".",
            ]
        )
    return found


def _closure(w: _Writer) -> Sentence:
    zh = w.f.zh
    return [
        "当日办结" if zh else "Closed in the day: ",
        w.fig("closure", "closures", "day"),
        "件；应结案" if zh else "; due: ",
        w.fig("closure", "due", "day"),
        "件，已结案" if zh else ", closed: ",
        w.fig("closure", "closed", "day"),
        "件，结案率" if zh else "; close rate ",
        w.fig("closure", "close_rate", "day"),
        "，按期结案率" if zh else ", on-time close rate ",
        w.fig("closure", "on_time_rate", "day"),
        "（" if zh else " (",
        w.fig("closure", "head", "week"),
        "" if zh else ": ",
        w.fig("closure", "on_time_rate", "week"),
        "）" if zh else ")",
        w.ref("closure"),
        "。" if zh else ".",
    ]


def _backlog(w: _Writer, b: Briefing) -> Sentence:
    zh = w.f.zh
    sentence: Sentence = [
        "截至" if zh else "As of ",
        w.fig("backlog", "as_of", "value"),
        "，在办" if zh else ", open: ",
        w.fig("backlog", "open", "value"),
        "件，其中超期" if zh else ", of which overdue: ",
        w.fig("backlog", "overdue", "value"),
        "件、临期" if zh else ", near deadline: ",
        w.fig("backlog", "near_deadline", "value"),
        "件" if zh else "",
        w.ref("backlog"),
    ]
    if b.overdue:
        case = b.overdue[0].id
        sentence += [
            "；超期最久的是" if zh else "; the longest overdue is ",
            w.fig("overdue", case, "id"),
            "（" if zh else " (",
            w.fig("overdue", case, "category"),
            "，" if zh else ", ",
            w.fig("overdue", case, "street"),
            "），已超期" if zh else "), overdue for ",
            w.fig("overdue", case, "overdue_for"),
            w.ref("overdue"),
        ]
    return [*sentence, "。" if zh else "."]


def _departments(w: _Writer, b: Briefing) -> Sentence:
    zh = w.f.zh
    if not b.departments:
        return [
            "没有部门达到排名所需的应结案件数" if zh else "No department was ranked",
            w.ref("departments"),
            "。" if zh else ".",
        ]
    best, worst = b.departments[0].key, b.departments[-1].key
    sentence: Sentence = [
        "按期结案率最高的部门是" if zh else "Best on-time close rate: ",
        w.fig("departments", best, "name"),
        "（" if zh else " (",
        w.fig("departments", best, "on_time_rate"),
        "）" if zh else ")",
    ]
    if worst != best:
        sentence += [
            "，最低的是" if zh else "; lowest: ",
            w.fig("departments", worst, "name"),
            "（" if zh else " (",
            w.fig("departments", worst, "on_time_rate"),
            "）" if zh else ")",
        ]
    return [*sentence, w.ref("departments"), "。" if zh else "."]


def _rest(w: _Writer, b: Briefing) -> list[Sentence]:
    zh = w.f.zh
    found: list[Sentence] = []
    if b.hotspots:
        grid = b.hotspots[0].grid
        found.append(
            [
                "受理最多的网格是" if zh else "The busiest grid was ",
                w.fig("hotspots", grid, "name"),
                "（" if zh else " (",
                w.fig("hotspots", grid, "street"),
                "），" if zh else "), ",
                w.fig("hotspots", grid, "received"),
                "件" if zh else " cases",
                w.ref("hotspots"),
                "。" if zh else ".",
            ]
        )
    if b.alarms is None:
        found.append(
            [
                "暂无视频告警数据" if zh else "No video alarm data",
                w.ref("alarms"),
                "。" if zh else ".",
            ]
        )
    else:
        found.append(
            _listing(w, "alarms", [("视频告警接收", "Video alarms received: ", "received"),
                                   ("条，合并重复", ", repeats merged: ", "merged"),
                                   ("条，转为事件", ", incidents opened: ", "opened")], "件")
        )  # fmt: skip
    found.append(
        _listing(w, "quality", [("数据质量方面，无位置上报", "Data quality: without a location ",
                                 "without_location"),
                                ("件，疑似重复", ", duplicates ", "duplicates"),
                                ("件，迟报", ", late ", "late")], "件")
    )  # fmt: skip
    return found


def _listing(w: _Writer, table: str, parts: list[tuple[str, str, str]], unit: str) -> Sentence:
    """Words and the ``value`` cells of rows of a two-column table, in turn."""
    zh = w.f.zh
    sentence: Sentence = []
    for words_zh, words_en, row in parts:
        sentence += [words_zh if zh else words_en, w.fig(table, row, "value")]
    return [*sentence, unit if zh else "", w.ref(table), "。" if zh else "."]


def narrative(b: Briefing, tables: dict[str, Table], f: Format) -> list[Sentence]:
    """The sentences of the summary, in order."""
    w = _Writer(tables, f)
    return [
        *_intake(w, b),
        _closure(w),
        _backlog(w, b),
        _departments(w, b),
        *_rest(w, b),
    ]
