"""The KPIs (考核指标), exactly as DOMAIN.md defines them: one module, pandas, pure.

Used by the read API (``/api/v1/metrics/...``), the wall and the daily briefing. Input: incident
documents (``feeds.incident.Incident``) and a period [start, end); output: one row per group.

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
  stages aside) past its deadline, or else past a warning threshold, at ``now``.
* Send-backs (回退), reworks (返工) and extensions (延期, approved) that happened in the period.
* Rankings (红黑榜): only rows with at least ``min_sample`` due cases are ranked, by on-time
  close rate, then close rate, then due cases.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from dashboard.periods import Period, parse_period, periods
from feeds.incident import FEEDBACK_STAGES, Incident, SlaState, Stage, StageName, Status

__all__ = [
    "CASE_DIMENSIONS",
    "Period",
    "case_frame",
    "case_kpis",
    "clean",
    "department_kpis",
    "event_frame",
    "handling_frame",
    "parse_period",
    "period_kpis",
    "periods",
    "rank",
    "stage_kpis",
]

CLOSED = frozenset({Status.CLOSED, Status.EVALUATED})
CASE_DIMENSIONS = {"streets": "street", "communities": "community", "grids": "grid",
                   "categories": "category"}  # fmt: skip
NAN = float("nan")


# -- frames -----------------------------------------------------------------------------------
def _ts(value: datetime | None) -> float:
    return NAN if value is None else value.timestamp()


def _state_now(stages: Iterable[Stage], now: datetime) -> tuple[bool, bool]:
    states = {s.state_at(now) for s in stages if s.running and s.name not in FEEDBACK_STAGES}
    overdue = SlaState.OVERDUE in states
    return overdue, not overdue and SlaState.WARNING in states


def _done(stage: Stage | None) -> tuple[float, float]:
    if stage is None or stage.outcome != "done" or stage.ended_at is None:
        return NAN, NAN
    return stage.consumed_s, stage.ended_at.timestamp()


def _first_run(incident: Incident, key: str) -> Stage | None:
    runs = [s for s in incident.past_stages if s.name.value == key and s.outcome == "done"]
    current = incident.stages.get(key)
    if current is not None:
        runs.append(current)
    return min(runs, key=lambda s: s.started_at) if runs else None


def case_frame(incidents: Sequence[Incident], now: datetime) -> pd.DataFrame:
    """One row per incident with everything the case KPIs need."""
    rows = []
    for inc in incidents:
        response, response_end = _done(inc.stages.get("accept"))
        dispatch, dispatch_end = _done(_first_run(inc, "dispatch"))
        handling, handling_end = _done(inc.stages.get("handle"))
        overdue, near = _state_now(inc.stages.values(), now) if inc.is_open else (False, False)
        rows.append(
            {
                "id": inc.id,
                "category": inc.category,
                "street": inc.area.street or "",
                "community": inc.area.community or "",
                "grid": inc.area.grid or "",
                "lead": inc.lead or "",
                "open": inc.is_open,
                "closed": inc.status in CLOSED,
                "on_time": bool(inc.on_time),
                "reported": inc.reported_at.timestamp(),
                "due": _ts(inc.due_at),
                "response_s": response,
                "response_end": response_end,
                "dispatch_s": dispatch,
                "dispatch_end": dispatch_end,
                "handling_s": handling,
                "handling_end": handling_end,
                "overdue": overdue,
                "near": near,
            }
        )
    return pd.DataFrame(rows, columns=_CASE_COLUMNS)


_CASE_COLUMNS = ["id", "category", "street", "community", "grid", "lead", "open", "closed",
                 "on_time", "reported", "due", "response_s", "response_end", "dispatch_s",
                 "dispatch_end", "handling_s", "handling_end", "overdue", "near"]  # fmt: skip


def event_frame(incidents: Sequence[Incident]) -> pd.DataFrame:
    """Send-backs, reworks and approved extensions, with who they count against."""
    rows = []
    for inc in incidents:
        for entry in inc.history:
            kind, dept, role = _event_kind(entry.action, entry.detail)
            if kind is None:
                continue
            rows.append(
                {
                    "id": inc.id,
                    "kind": kind,
                    "at": entry.at.timestamp(),
                    "department": dept or "",
                    "role": role,
                    "category": inc.category,
                    "street": inc.area.street or "",
                    "community": inc.area.community or "",
                    "grid": inc.area.grid or "",
                }
            )
    columns = ["id", "kind", "at", "department", "role", "category", "street", "community",
               "grid"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _event_kind(action: str, detail: dict[str, Any]) -> tuple[str | None, str | None, str]:
    if action == "send_back":
        return "send_backs", detail.get("department"), detail.get("role", "lead")
    if action == "verify" and detail.get("result") == "fail":
        return "reworks", detail.get("department"), "lead"
    if action == "approve_extension":
        role = "co" if str(detail.get("stage", "")).startswith("handle@") else "lead"
        return "extensions", detail.get("department"), role
    return None, None, ""


def _sign_of(incident: Incident, department: str | None) -> Stage | None:
    """The lead's current sign-for stage (签收), if it belongs to ``department``."""
    stage = incident.stages.get(StageName.SIGN.value)
    return stage if stage is not None and stage.department == department else None


def handling_frame(incidents: Sequence[Incident], now: datetime) -> pd.DataFrame:
    """One row per department's handling stage (lead and co), wrong dispatches left out."""
    rows = []
    for inc in incidents:
        for stage in inc.stages.values():
            if stage.name is not StageName.HANDLE or stage.outcome == "cancelled":
                continue
            lead = stage.role != "co"
            open_now = inc.is_open and stage.ended_at is None
            state = stage.state_at(now) if open_now and stage.running else None
            done = stage.outcome == "done"
            sign, sign_end = _done(_sign_of(inc, stage.department) if lead else None)
            rows.append(
                {
                    "id": inc.id,
                    "department": stage.department or "",
                    "role": "lead" if lead else "co",
                    "started": stage.started_at.timestamp(),
                    "sign_s": sign,
                    "sign_end": sign_end,
                    "due": _ts(stage.deadline),
                    "closed": inc.status in CLOSED if lead else done,
                    "on_time": bool(inc.on_time) if lead else bool(stage.on_time),
                    "handling_s": stage.consumed_s if done else NAN,
                    "handling_end": _ts(stage.ended_at) if done else NAN,
                    "open": open_now,
                    "overdue": state is SlaState.OVERDUE,
                    "near": state is SlaState.WARNING,
                }
            )
    columns = ["id", "department", "role", "started", "sign_s", "sign_end", "due", "closed",
               "on_time", "handling_s", "handling_end", "open", "overdue", "near"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


# -- figures ----------------------------------------------------------------------------------
def _in(series: pd.Series, period: Period) -> pd.Series:
    lo, hi = period.bounds
    return (series >= lo) & (series < hi)


def _quantiles(values: pd.Series) -> tuple[float | None, float | None]:
    clean = values.dropna()
    if clean.empty:
        return None, None
    return float(clean.quantile(0.5)), float(clean.quantile(0.9))


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _due_figures(rows: pd.DataFrame, period: Period) -> dict[str, Any]:
    due = _in(rows["due"], period)
    closed = due & rows["closed"]
    on_time = closed & rows["on_time"]
    n_due, n_closed, n_on_time = int(due.sum()), int(closed.sum()), int(on_time.sum())
    return {
        "due": n_due,
        "closed": n_closed,
        "closed_on_time": n_on_time,
        "close_rate": _rate(n_closed, n_due),
        "on_time_rate": _rate(n_on_time, n_due),
    }


def _times(rows: pd.DataFrame, period: Period, names: Iterable[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name in names:
        ended = _in(rows[f"{name}_end"], period)
        median, p90 = _quantiles(rows.loc[ended, f"{name}_s"])
        found[f"{name}_median_s"] = median
        found[f"{name}_p90_s"] = p90
    return found


def _event_counts(events: pd.DataFrame, period: Period) -> dict[str, int]:
    inside = events[_in(events["at"], period)]
    return {k: int((inside["kind"] == k).sum()) for k in ("send_backs", "reworks", "extensions")}


def _now_figures(rows: pd.DataFrame) -> dict[str, int]:
    return {
        "open": int(rows["open"].sum()),
        "overdue": int(rows["overdue"].sum()),
        "near_deadline": int(rows["near"].sum()),
    }


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


def _group_keys(*columns: pd.Series) -> list[str]:
    keys: set[str] = set()
    for column in columns:
        keys.update(str(v) for v in column.unique())
    return sorted(keys)


def case_kpis(
    incidents: Sequence[Incident],
    dimension: str,
    period: Period,
    now: datetime,
    min_sample: int,
) -> list[dict[str, Any]]:
    """KPIs per street, community, grid or category (``CASE_DIMENSIONS``)."""
    column = CASE_DIMENSIONS[dimension]
    cases, events = case_frame(incidents, now), event_frame(incidents)
    rows = []
    for key in _group_keys(cases[column], events[column]):
        mine = cases[cases[column] == key]
        row = {"key": key or None, **_case_figures(mine, events[events[column] == key], period)}
        row.update(_now_figures(mine))
        rows.append(row)
    rank(rows, min_sample)
    return rows


def _case_figures(cases: pd.DataFrame, events: pd.DataFrame, period: Period) -> dict[str, Any]:
    return {
        "received": int(_in(cases["reported"], period).sum()),
        **_due_figures(cases, period),
        **_times(cases, period, ("response", "dispatch", "handling")),
        **_event_counts(events, period),
    }


def department_kpis(
    incidents: Sequence[Incident], period: Period, now: datetime, min_sample: int
) -> list[dict[str, Any]]:
    """KPIs per department, lead (主办) and co-handling (协办) apart; ranked per role.

    ``received`` counts the department's handling stages that started in the period (cases
    dispatched to it); ``sign_*`` is its response to a dispatch (派遣 → 签收, lead only)."""
    handling, events = handling_frame(incidents, now), event_frame(incidents)
    events = events[events["department"] != ""]
    pairs = set(zip(handling["department"], handling["role"], strict=True))
    pairs |= set(zip(events["department"], events["role"], strict=True))
    rows = []
    for dept, role in sorted(pairs):
        mine = handling[(handling["department"] == dept) & (handling["role"] == role)]
        own = events[(events["department"] == dept) & (events["role"] == role)]
        row = {
            "key": dept,
            "role": role,
            "received": int(_in(mine["started"], period).sum()),
            **_due_figures(mine, period),
            **_times(mine, period, ("sign", "handling")),
            **_now_figures(mine),
            **_event_counts(own, period),
        }
        rows.append(row)
    rank(rows, min_sample, within="role")
    return rows


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
    rows = [
        {"key": label, "from": part.start.isoformat(), "to": part.end.isoformat(),
         **_case_figures(cases, events, part)}
        for label, part in periods(period, unit, tz)
    ]  # fmt: skip
    rank(rows, min_sample)
    return rows


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
                **_now_figures(mine),
            }
        )
    return rows


def clean(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """JSON-safe rows (NaN → None)."""
    return [
        {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
        for row in rows
    ]
