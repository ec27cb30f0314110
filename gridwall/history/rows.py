"""Incidents as flat rows: what the KPIs, the Parquet history and the briefing read.

Pure functions of an incident and a moment. ``dashboard.metrics`` builds its frames from these
rows (``case_frame``, ``event_frame``, ``department_tables``) and the archive writes the same rows
to the daily Parquet files, so a figure computed over Redis and over the history is the same
figure. Times are epoch seconds (float, NaN when unset). Rows carry no personal data: the title
is masked as on the walls (``gridwall.access.privacy.mask_text``), the reporter is left out.

* case rows: one per incident (``CASE_COLUMNS``);
* handling rows: one per department's handling stage, lead (主办) and co-handling (协办),
  wrong dispatches (cancelled) left out (``HANDLING_COLUMNS``);
* event rows: send-backs (回退), reworks (返工) and approved extensions (延期), with the
  department they count against (``EVENT_COLUMNS``).

``overdue``/``near``/``open`` are as of the moment given (the snapshot time of the history).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import pyarrow as pa

from gridwall.access.privacy import mask_text
from gridwall.engine.incident import (
    FEEDBACK_STAGES,
    Incident,
    SlaState,
    Stage,
    StageName,
    Status,
)

CLOSED = frozenset({Status.CLOSED, Status.EVALUATED})
NAN = float("nan")

_S, _F, _B = pa.string(), pa.float64(), pa.bool_()

#: Case rows: column → Arrow type (the Parquet schema of ``cases.parquet``).
CASE_COLUMNS: dict[str, pa.DataType] = {
    "id": _S, "source": _S, "source_event_id": _S, "category": _S, "urgency": _S,
    "status": _S, "level": _S, "street": _S, "community": _S, "grid": _S, "lead": _S,
    "title": _S, "has_location": _B, "lon": _F, "lat": _F, "open": _B, "closed": _B,
    "on_time": _B, "reported": _F, "received": _F, "closed_at": _F, "updated": _F, "due": _F,
    "response_s": _F, "response_end": _F, "dispatch_s": _F, "dispatch_end": _F,
    "handling_s": _F, "handling_end": _F, "overdue": _B, "near": _B, "overdue_since": _F,
    "overdue_stage": _S,
}  # fmt: skip

#: Handling rows (``handling.parquet``).
HANDLING_COLUMNS: dict[str, pa.DataType] = {
    "id": _S, "department": _S, "role": _S, "started": _F, "sign_s": _F, "sign_end": _F,
    "due": _F, "closed": _B, "on_time": _B,
    "handling_s": _F, "handling_end": _F, "open": _B, "overdue": _B, "near": _B,
}  # fmt: skip

#: Counted events (``events.parquet``).
EVENT_COLUMNS: dict[str, pa.DataType] = {
    "id": _S, "kind": _S, "at": _F, "department": _S, "role": _S, "category": _S,
    "source": _S, "street": _S, "community": _S, "grid": _S,
}  # fmt: skip


def schema(
    columns: dict[str, pa.DataType], extra: Iterable[tuple[str, pa.DataType]] = ()
) -> pa.Schema:
    return pa.schema([*columns.items(), *extra])


def _ts(value: datetime | None) -> float:
    return NAN if value is None else value.timestamp()


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


def _sla_now(incident: Incident, now: datetime) -> tuple[bool, bool, float, str]:
    """(overdue, near, since when overdue, which stage) of an open case at ``now``."""
    if not incident.is_open:
        return False, False, NAN, ""
    overdue: list[tuple[datetime, str]] = []
    near = False
    for key, stage in incident.stages.items():
        if not stage.running or stage.name in FEEDBACK_STAGES:
            continue
        state = stage.state_at(now)
        if state is SlaState.OVERDUE and stage.deadline is not None:
            overdue.append((stage.deadline, key))
        near = near or state is SlaState.WARNING
    if overdue:
        since, key = min(overdue)
        return True, False, since.timestamp(), key
    return False, near, NAN, ""


def case_row(inc: Incident, now: datetime) -> dict[str, Any]:
    """One incident's case row (``CASE_COLUMNS``)."""
    response, response_end = _done(inc.stages.get("accept"))
    dispatch, dispatch_end = _done(_first_run(inc, "dispatch"))
    handling, handling_end = _done(inc.stages.get("handle"))
    overdue, near, since, stage = _sla_now(inc, now)
    loc = inc.location
    return {
        "id": inc.id,
        "source": inc.source,
        "source_event_id": inc.source_event_id,
        "category": inc.category,
        "urgency": inc.urgency.value,
        "status": inc.status.value,
        "level": inc.level.value,
        "street": inc.area.street or "",
        "community": inc.area.community or "",
        "grid": inc.area.grid or "",
        "lead": inc.lead or "",
        "title": mask_text(inc.title),
        "has_location": loc is not None,
        "lon": NAN if loc is None else loc.lon,
        "lat": NAN if loc is None else loc.lat,
        "open": inc.is_open,
        "closed": inc.status in CLOSED,
        "on_time": bool(inc.on_time),
        "reported": inc.reported_at.timestamp(),
        "received": inc.received_at.timestamp(),
        "closed_at": _ts(inc.closed_at),
        "updated": inc.updated_at.timestamp(),
        "due": _ts(inc.due_at),
        "response_s": response,
        "response_end": response_end,
        "dispatch_s": dispatch,
        "dispatch_end": dispatch_end,
        "handling_s": handling,
        "handling_end": handling_end,
        "overdue": overdue,
        "near": near,
        "overdue_since": since,
        "overdue_stage": stage,
    }


def _sign_of(incident: Incident, department: str | None) -> Stage | None:
    """The lead's current sign-for stage (签收), if it belongs to ``department``."""
    stage = incident.stages.get(StageName.SIGN.value)
    return stage if stage is not None and stage.department == department else None


def handling_rows(inc: Incident, now: datetime) -> list[dict[str, Any]]:
    """One row per department's handling stage (``HANDLING_COLUMNS``)."""
    rows = []
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
    return rows


def _event_kind(action: str, detail: dict[str, Any]) -> tuple[str | None, str | None, str]:
    if action == "send_back":
        return "send_backs", detail.get("department"), detail.get("role", "lead")
    if action == "verify" and detail.get("result") == "fail":
        return "reworks", detail.get("department"), "lead"
    if action == "approve_extension":
        role = "co" if str(detail.get("stage", "")).startswith("handle@") else "lead"
        return "extensions", detail.get("department"), role
    return None, None, ""


def event_rows(inc: Incident) -> list[dict[str, Any]]:
    """Send-backs, reworks and approved extensions (``EVENT_COLUMNS``)."""
    rows = []
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
                "source": inc.source,
                "street": inc.area.street or "",
                "community": inc.area.community or "",
                "grid": inc.area.grid or "",
            }
        )
    return rows
