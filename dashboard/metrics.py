"""The KPIs (考核指标), exactly as docs/domain.md defines them: one module, pandas, pure.

Used by the read API (``/api/v1/metrics/...``), the wall and the daily briefing. Input: frames
of flat rows (``gridwall.history.rows``: built here from incident documents by ``case_frame``,
``event_frame`` and ``department_tables``, or read from the Parquet history) and a period
[start, end); output: one row per group. The ``*_kpis`` functions take incidents, the
``*_table`` functions take frames; both compute with the same code.

* 受理 (``received``): cases reported in the period; 办结 (``closures``): cases closed in it
  (by their close time, still closed now).
* 应结案 (``due``): cases whose deadline (the lead department's handling deadline, extensions
  included, ``Incident.due_at``) falls in the period; for a co-handling department, its own
  handling stages whose deadline falls in the period.
* 结案率 = closed / due, 按期结案率 = closed on time / due, over those due cases (closed as of
  now; on time = the handling was reported back by its deadline and never breached it).
* Response (受理), dispatch (派遣) and handling (处置) times: the clock time (working or calendar
  time, per the policy; parked time excluded) of the accept stage, the first dispatch stage and
  the lead's handling stage, for stages that ended in the period: median and 90th percentile
  (linear interpolation between closest ranks).
* 超期 (``overdue``) and 临期 (``near_deadline``): open cases with a running stage (feedback
  stages aside) past its deadline, or else past a warning threshold, at ``now`` (for history
  frames: at the snapshot's time). ``worst_overdue``: the longest past their deadline.
* Send-backs (回退), reworks (返工) and extensions (延期, approved) that happened in the period.
* Rankings (红黑榜): only rows with at least ``min_sample`` due cases are ranked, by on-time
  close rate, then close rate, then due cases.
* Data quality (``quality``), of the reports entered (received) in the period: without a
  location, suspected duplicates (the same category in the same grid within a window after
  another report), late entries (received long after they were reported).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pyarrow as pa

from dashboard.periods import Period, parse_period, periods
from gridwall.engine.incident import FEEDBACK_STAGES, Incident, SlaState, StageName
from gridwall.history.rows import (
    CASE_COLUMNS,
    EVENT_COLUMNS,
    HANDLING_COLUMNS,
    case_row,
    event_rows,
    handling_rows,
)

__all__ = [
    "CASE_DIMENSIONS",
    "Period",
    "case_frame",
    "case_kpis",
    "case_table",
    "clean",
    "department_kpis",
    "department_kpis_of",
    "department_table",
    "department_tables",
    "event_frame",
    "frame",
    "parse_period",
    "period_kpis",
    "period_table",
    "periods",
    "quality",
    "rank",
    "received",
    "stage_kpis",
    "table",
    "totals",
    "worst_overdue",
]

CASE_DIMENSIONS = {"streets": "street", "communities": "community", "grids": "grid",
                   "categories": "category", "sources": "source"}  # fmt: skip
NAN = float("nan")
TIMES = ("response", "dispatch", "handling")
EVENT_KINDS = ("send_backs", "reworks", "extensions")
COUNTS = ("received", "closures", "due", "closed", "closed_on_time", "open", "overdue",
          "near_deadline", *EVENT_KINDS)  # fmt: skip


# -- frames -----------------------------------------------------------------------------------
def table(rows: list[dict[str, Any]], columns: dict[str, pa.DataType]) -> pa.Table:
    """Rows as a typed Arrow table (columnar: far smaller than the rows as Python dicts)."""
    return pa.Table.from_pylist(rows, schema=pa.schema(list(columns.items())))


def frame(rows: list[dict[str, Any]], columns: dict[str, pa.DataType]) -> pd.DataFrame:
    """Rows as a typed frame, converted exactly as the Parquet history is read."""
    found: pd.DataFrame = table(rows, columns).to_pandas()
    return found


def department_tables(incidents: Sequence[Incident], now: datetime) -> tuple[pa.Table, pa.Table]:
    """The handling rows and the event rows of some incidents as Arrow tables: a long period's
    department KPIs are gathered this way a chunk of documents at a time
    (``department_kpis_of``), so their memory is the rows', not every document's at once."""
    handling = [row for inc in incidents for row in handling_rows(inc, now)]
    events = [row for inc in incidents for row in event_rows(inc)]
    return table(handling, HANDLING_COLUMNS), table(events, EVENT_COLUMNS)


def department_kpis_of(
    handling: Sequence[pa.Table], events: Sequence[pa.Table], period: Period, min_sample: int
) -> list[dict[str, Any]]:
    """``department_kpis`` from the tables of ``department_tables``, chunk by chunk."""

    def whole(parts: Sequence[pa.Table], columns: dict[str, pa.DataType]) -> pd.DataFrame:
        if not parts:
            return frame([], columns)
        found: pd.DataFrame = pa.concat_tables(parts).to_pandas()
        return found

    return department_table(
        whole(handling, HANDLING_COLUMNS), whole(events, EVENT_COLUMNS), period, min_sample
    )


def case_frame(incidents: Sequence[Incident], now: datetime) -> pd.DataFrame:
    """One row per incident with everything the case KPIs need."""
    return frame([case_row(i, now) for i in incidents], CASE_COLUMNS)


def event_frame(incidents: Sequence[Incident]) -> pd.DataFrame:
    """Send-backs, reworks and approved extensions, with who they count against."""
    return frame([row for inc in incidents for row in event_rows(inc)], EVENT_COLUMNS)


# -- figures, per group -----------------------------------------------------------------------
def _in(series: pd.Series, period: Period) -> pd.Series:
    lo, hi = period.bounds
    return (series >= lo) & (series < hi)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _group(frame: pd.DataFrame, by: list[str]) -> Any:
    """``frame`` grouped by these columns, or as one group ``""`` when ``by`` is empty."""
    if by:
        return frame.groupby(by)
    return frame.groupby(pd.Series("", index=frame.index))


def _size(rows: pd.DataFrame, mask: pd.Series, by: list[str], name: str) -> pd.Series:
    if not by:
        return pd.Series({"": int(mask.sum())}, name=name)
    found: pd.Series = rows.loc[mask, by].groupby(by).size().rename(name)
    return found


def _grouped(
    rows: pd.DataFrame,
    events: pd.DataFrame,
    by: list[str],
    period: Period,
    times: Sequence[str],
    *,
    cases: bool,
) -> pd.DataFrame:
    """Every figure of every group: one row per group present in ``rows`` or ``events`` (one
    row ``""`` for the whole frame when ``by`` is empty). Each figure groups only the rows it
    counts, so a long history costs little more than the period's own rows."""
    parts: list[pd.Series | pd.DataFrame] = []
    if cases:
        parts.append(_size(rows, _in(rows["reported"], period), by, "received"))
        parts.append(_size(rows, _in(rows["closed_at"], period) & rows["closed"], by, "closures"))
    else:  # handling stages: a department received a case when its stage started
        parts.append(_size(rows, _in(rows["started"], period), by, "received"))
    due = rows.loc[_in(rows["due"], period), [*by, "closed", "on_time"]]
    closed = due["closed"].astype(bool)
    on_time = closed & due["on_time"].astype(bool)
    counted = due.assign(due=1, closed=closed.astype(int), closed_on_time=on_time.astype(int))
    parts.append(_group(counted, by)[["due", "closed", "closed_on_time"]].sum())
    for name in times:
        ended = rows.loc[_in(rows[f"{name}_end"], period), [*by, f"{name}_s"]]
        values = _group(ended, by)[f"{name}_s"]
        parts.append(values.quantile(0.5).rename(f"{name}_median_s"))
        parts.append(values.quantile(0.9).rename(f"{name}_p90_s"))
    flagged = rows.loc[
        rows["open"] | rows["overdue"] | rows["near"], [*by, "open", "overdue", "near"]
    ]
    flags = flagged.astype({"open": int, "overdue": int, "near": int})
    parts.append(_group(flags, by)[["open", "overdue", "near"]].sum())
    inside = events.loc[_in(events["at"], period), [*by, "kind"]]
    for kind in EVENT_KINDS:
        parts.append(_size(inside, inside["kind"] == kind, by, kind))
    table = pd.concat(parts, axis=1).rename(columns={"near": "near_deadline"})
    names = [str(c) for c in table.columns]
    table = table.reindex(columns=names + [n for n in _time_names(times) if n not in names])
    if not by:
        return _fill(table.reindex(pd.Index([""])))
    keys = pd.concat([rows[by], events[by]]).drop_duplicates()
    index = pd.MultiIndex.from_frame(keys) if len(by) > 1 else pd.Index(keys[by[0]])
    return _fill(table.reindex(index).sort_index())


_TOTAL_COLUMNS = ["reported", "closed_at", "closed", "due", "on_time", "open", "overdue", "near",
                  *(f"{n}_{part}" for n in TIMES for part in ("s", "end"))]  # fmt: skip


def _relevant(cases: pd.DataFrame, period: Period) -> pd.DataFrame:
    """The cases that count in some figure of a part of ``period``: a time of theirs falls in
    it, or they are open, overdue or near their deadline (the figures as of now)."""
    keep = cases["open"] | cases["overdue"] | cases["near"]
    for column in ("reported", "closed_at", "due", *(f"{n}_end" for n in TIMES)):
        keep |= _in(cases[column], period)
    return cases.loc[keep, _TOTAL_COLUMNS]  # a county's figures need no names


def _time_names(times: Sequence[str]) -> list[str]:
    return [f"{name}_{q}_s" for name in times for q in ("median", "p90")]


def _fill(table: pd.DataFrame) -> pd.DataFrame:
    for name in COUNTS:
        if name in table:
            table[name] = table[name].fillna(0).astype(int)
    return table


def _records(table: pd.DataFrame, by: list[str], names: Sequence[str]) -> list[dict[str, Any]]:
    found = []
    for key, values in zip(table.index, table.to_dict("records"), strict=True):
        parts = key if isinstance(key, tuple) else (key,) if by else ("",)
        row: dict[str, Any] = dict(zip(names, parts, strict=True))
        for name, value in values.items():
            if isinstance(value, float) and math.isnan(value):
                row[str(name)] = None
            else:
                row[str(name)] = value
        row["close_rate"] = _rate(row["closed"], row["due"])
        row["on_time_rate"] = _rate(row["closed_on_time"], row["due"])
        found.append(row)
    return found


def case_table(
    cases: pd.DataFrame, events: pd.DataFrame, column: str, period: Period, min_sample: int
) -> list[dict[str, Any]]:
    """Case KPIs per value of a case column (street, community, grid, category, source ...)."""
    table = _grouped(cases, events, [column], period, TIMES, cases=True)
    rows = _records(table, [column], ["key"])
    for row in rows:
        row["key"] = row["key"] or None
    rank(rows, min_sample)
    return rows


def department_table(
    handling: pd.DataFrame, events: pd.DataFrame, period: Period, min_sample: int
) -> list[dict[str, Any]]:
    """KPIs per department, lead (主办) and co-handling (协办) apart; ranked per role.

    ``received`` counts the department's handling stages that started in the period (cases
    dispatched to it); ``sign_*`` is its response to a dispatch (派遣 → 签收, lead only)."""
    events = events[events["department"] != ""]
    by = ["department", "role"]
    table = _grouped(handling, events, by, period, ("sign", "handling"), cases=False)
    rows = _records(table, by, ["key", "role"])
    rank(rows, min_sample, within="role")
    return rows


def totals(cases: pd.DataFrame, events: pd.DataFrame, period: Period) -> dict[str, Any]:
    """The case KPIs of the whole frame (the county) in a period."""
    row = _records(_grouped(cases, events, [], period, TIMES, cases=True), [], ["key"])[0]
    row.pop("key")
    return row


def period_table(
    cases: pd.DataFrame,
    events: pd.DataFrame,
    period: Period,
    unit: str,
    tz: ZoneInfo,
    *,
    min_sample: int,
) -> list[dict[str, Any]]:
    """Case KPIs per day, week or month of ``period`` (trends)."""
    cases = _relevant(cases, period)  # the same figures, from fewer rows
    rows = [
        {"key": label, "from": part.start.isoformat(), "to": part.end.isoformat(),
         **totals(cases, events, part)}
        for label, part in periods(period, unit, tz)
    ]  # fmt: skip
    rank(rows, min_sample)
    return rows


def rank(rows: list[dict[str, Any]], min_sample: int, *, within: str | None = None) -> None:
    """Set ``ranked`` and ``rank`` (1 = best) on rows with at least ``min_sample`` due cases."""
    groups: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        row["ranked"] = row["due"] >= min_sample
        row["rank"] = None
        if row["ranked"]:
            groups.setdefault(row.get(within) if within else None, []).append(row)
    for members in groups.values():
        members.sort(key=lambda r: (-r["on_time_rate"], -r["close_rate"], -r["due"], r["key"]))
        for position, row in enumerate(members, start=1):
            row["rank"] = position


# -- the briefing's figures -------------------------------------------------------------------
def received(cases: pd.DataFrame, by: list[str], period: Period) -> pd.Series:
    """受理 (``received``) per group: the cases reported in the period."""
    return _size(cases, _in(cases["reported"], period), by, "received")


def worst_overdue(cases: pd.DataFrame, count: int) -> list[dict[str, Any]]:
    """The open cases longest past their deadline (as of the frame's moment), worst first."""
    overdue = cases[cases["overdue"].astype(bool)]
    worst = overdue.sort_values(["overdue_since", "id"]).head(count)
    columns = ["id", "title", "category", "urgency", "street", "community", "grid", "lead",
               "reported", "overdue_since", "overdue_stage"]  # fmt: skip
    return clean([{str(k): v for k, v in row.items()} for row in worst[columns].to_dict("records")])


def quality(
    cases: pd.DataFrame, period: Period, late_after_s: float, duplicate_window_s: float
) -> dict[str, int]:
    """Data quality of the reports entered (received) in a period (数据质量): how many came
    without a location, how many look like a repeat (the same category in the same grid
    within the window after an earlier report), how many were entered late (received more
    than ``late_after_s`` after the reported time)."""
    entered = _in(cases["received"], period)
    reported = cases.loc[entered, "reported"]
    lo, hi = reported.min() - duplicate_window_s, reported.max()
    near = cases[(cases["reported"] >= lo) & (cases["reported"] <= hi) & (cases["grid"] != "")]
    near = near.sort_values(["grid", "category", "reported", "id"])
    gap = near.groupby(["grid", "category"])["reported"].diff()
    repeats = (gap <= duplicate_window_s) & _in(near["received"], period)
    late = entered & (cases["received"] - cases["reported"] > late_after_s)
    return {
        "reports": int(entered.sum()),
        "without_location": int((entered & ~cases["has_location"].astype(bool)).sum()),
        "duplicates": int(repeats.sum()),
        "late": int(late.sum()),
    }


# -- from incidents (the read API) ------------------------------------------------------------
def case_kpis(
    incidents: Sequence[Incident],
    dimension: str,
    period: Period,
    now: datetime,
    min_sample: int,
) -> list[dict[str, Any]]:
    """KPIs per street, community, grid, category or source (``CASE_DIMENSIONS``)."""
    column = CASE_DIMENSIONS[dimension]
    return case_table(
        case_frame(incidents, now), event_frame(incidents), column, period, min_sample
    )


def department_kpis(
    incidents: Sequence[Incident], period: Period, now: datetime, min_sample: int
) -> list[dict[str, Any]]:
    """KPIs per department, lead (主办) and co-handling (协办) apart; ranked per role."""
    handling, events = department_tables(incidents, now)
    return department_kpis_of([handling], [events], period, min_sample)


def period_kpis(
    incidents: Sequence[Incident],
    period: Period,
    unit: str,
    tz: ZoneInfo,
    *,
    now: datetime,
    min_sample: int,
) -> list[dict[str, Any]]:
    """Case KPIs per day, week or month of ``period`` (trends)."""
    cases, events = case_frame(incidents, now), event_frame(incidents)
    return period_table(cases, events, period, unit, tz, min_sample=min_sample)


def _quantiles(values: pd.Series) -> tuple[float | None, float | None]:
    values = values.dropna()
    if values.empty:
        return None, None
    return float(values.quantile(0.5)), float(values.quantile(0.9))


def _ts(value: datetime | None) -> float:
    return NAN if value is None else value.timestamp()


def stage_kpis(
    incidents: Sequence[Incident], period: Period, now: datetime
) -> list[dict[str, Any]]:
    """Per SLA stage (feedback to the reporting grid included): how each clock performs."""
    records = []
    for inc in incidents:
        for stage in [*inc.past_stages, *inc.stages.values()]:
            if stage.outcome == "cancelled":
                continue
            live = stage.running and (inc.is_open or stage.name in FEEDBACK_STAGES)
            state = stage.state_at(now) if live else None
            records.append(
                {
                    "stage": stage.name.value,
                    "started": stage.started_at.timestamp(),
                    "end": _ts(stage.ended_at) if stage.outcome == "done" else NAN,
                    "elapsed_s": stage.consumed_s if stage.outcome == "done" else NAN,
                    "on_time": bool(stage.on_time),
                    "open": live,
                    "overdue": state is SlaState.OVERDUE,
                    "near": state is SlaState.WARNING,
                }
            )
    frame = pd.DataFrame(records, columns=["stage", "started", "end", "elapsed_s", "on_time",
                                           "open", "overdue", "near"])  # fmt: skip
    rows = []
    for name in StageName:
        mine = frame[frame["stage"] == name.value]
        ended = _in(mine["end"], period)
        median, p90 = _quantiles(mine.loc[ended, "elapsed_s"])
        done, on_time = int(ended.sum()), int((ended & mine["on_time"]).sum())
        rows.append(
            {
                "key": name.value,
                "started": int(_in(mine["started"], period).sum()),
                "done": done,
                "done_on_time": on_time,
                "on_time_rate": _rate(on_time, done),
                "elapsed_median_s": median,
                "elapsed_p90_s": p90,
                "open": int(mine["open"].sum()),
                "overdue": int(mine["overdue"].sum()),
                "near_deadline": int(mine["near"].sum()),
            }
        )
    return rows


def clean(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """JSON-safe rows (NaN → None)."""
    return [
        {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
        for row in rows
    ]
