"""Incidents: one with its stages' deadlines and SLA state, all of a period as JSON lines, the
newest summaries, and the audited unmasking of one case.

``GET /api/v1/incidents/{id}`` answers the incident with its history and, under ``sla``, every
stage's deadline, live SLA state (normal, warning, overdue, paused), clock time used and left.
``GET /api/v1/incidents?from=&to=&format=jsonl`` streams every incident reported in the period
(one JSON object per line, with history, stages and deadlines) so anyone can recompute the KPIs.
Personal data is masked in both. ``POST /api/v1/incidents/{id}/unmask`` reveals one case's
personal data to an authorised role, with a stated reason, audited.

Department users reach only their own department's cases
(``gridwall.access.roles.can_read_incident``); another department's case answers 404, as if it did
not exist, and is left out of exports.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from dashboard.api.deps import queries
from dashboard.metrics import parse_period
from dashboard.queries import Queries
from gridwall.access import roles as access
from gridwall.access.audit import AuditAction
from gridwall.access.privacy import mask_paths
from gridwall.access.roles import Principal, Right, Role, has_right
from gridwall.contract.events import is_incident_id, personal_paths
from gridwall.engine.incident import Incident, sla_view
from gridwall.engine.sla.calendar import WorkCalendar
from gridwall.engine.sla.stages import describe
from gridwall.web.deps import audit_request, require_roles, require_scoped_roles

router = APIRouter(prefix="/api/v1", tags=["incidents"])

PERSONAL = personal_paths(Incident)
READERS = (Role.OPERATOR, Role.DEPARTMENT, Role.LEADER, Role.ADMIN)
UNMASKERS = tuple(role for role in Role if Right.UNMASK in access.RIGHTS[role])
READ_CASE = require_scoped_roles(*READERS)
UNMASK_CASE = require_scoped_roles(*UNMASKERS)
#: The newest list spans every department, so department users are not among its readers.
READ_ALL = require_roles(Role.OPERATOR, Role.LEADER, Role.ADMIN)


def public_incident(
    incident: Incident, calendar: WorkCalendar | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """The incident as the read API shows it (personal fields masked), with its SLA view."""
    data = mask_paths(incident.model_dump(mode="json", exclude={"seen"}), PERSONAL)
    if calendar is not None and now is not None:
        add_sla_view(data, incident, calendar, now)
    return data


def add_sla_view(
    data: dict[str, Any], incident: Incident, calendar: WorkCalendar, now: datetime
) -> None:
    state, deadline, stage = sla_view(incident)
    data["sla"] = {
        "state": state.value,
        "deadline": deadline.isoformat() if deadline else None,
        "stage": stage,
        "stages": {k: describe(s, calendar, now) for k, s in incident.stages.items()},
    }


def revealed_incident(incident: Incident) -> dict[str, Any]:
    """The incident with its personal fields (only after an audited unmasking)."""
    return incident.model_dump(mode="json", exclude={"seen"})


def export_incident(
    incident: Incident, principal: Principal, personal: bool = False
) -> dict[str, Any]:
    """One incident of an export: masked, unless ``personal`` is asked for by a caller with the
    ``export-personal`` right (the export route audits it: ``AuditAction.EXPORT``)."""
    if personal and has_right(principal, Right.EXPORT_PERSONAL):
        return revealed_incident(incident)
    return public_incident(incident)


async def visible_incident(q: Queries, incident_id: str, principal: Principal) -> Incident:
    """The case if it exists and the caller may see it, else 404 (the same answer for both)."""
    if not is_incident_id(incident_id):
        raise HTTPException(404, detail=f"not an incident id: {incident_id!r}")
    incident = await q.incident(incident_id)
    if incident is None or not access.can_read_incident(principal, incident):
        raise HTTPException(404, detail=f"no incident {incident_id}")
    return incident


@router.get("/incidents/recent")
async def recent_incidents(
    limit: int = Query(20, ge=1, le=200),
    q: Queries = Depends(queries),
    principal: Principal = Depends(READ_ALL),
) -> list[dict[str, Any]]:
    """Summaries of the newest incidents, newest first (no personal data)."""
    return await q.recent(limit)


@router.get("/incidents/{incident_id}")
async def get_incident(
    incident_id: str,
    q: Queries = Depends(queries),
    principal: Principal = Depends(READ_CASE),
) -> dict[str, Any]:
    incident = await visible_incident(q, incident_id, principal)
    return public_incident(incident, q.rt.policies.calendar, q.rt.now())


@router.get("/incidents", response_class=StreamingResponse)
async def list_incidents(
    request: Request,
    *,
    q: Queries = Depends(queries),
    principal: Principal = Depends(READ_CASE),
    start: str | None = Query(None, alias="from", description="Day or ISO time (inclusive)."),
    end: str | None = Query(None, alias="to", description="Day (inclusive) or ISO time."),
    format: str = Query("jsonl", pattern="^jsonl$"),
    personal: bool = Query(False, description="Unmasked rows (export-personal right only)."),
) -> StreamingResponse:
    """Every incident reported in the period, one JSON object per line (default: 30 days)."""
    now = q.rt.now()
    try:
        period = parse_period(start, end, q.rt.tz, now)
    except ValueError as exc:
        raise HTTPException(422, detail=str(exc)) from None
    if personal and not has_right(principal, Right.EXPORT_PERSONAL):
        raise HTTPException(403, detail=f"role {principal.role.value} may not export personal data")
    await audit_request(
        request,
        AuditAction.EXPORT,
        target="incidents",
        detail={
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "personal": personal,
        },
    )
    calendar = q.rt.policies.calendar

    async def lines() -> AsyncIterator[bytes]:
        async for incident in q.iter_reported(period.start, period.end):
            if not access.can_read_incident(principal, incident):
                continue
            item = export_incident(incident, principal, personal)
            add_sla_view(item, incident, calendar, now)
            yield json.dumps(item, ensure_ascii=False).encode() + b"\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson")


class UnmaskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=4, max_length=500, description="Why the data is needed.")


@router.post("/incidents/{incident_id}/unmask")
async def unmask_incident(
    incident_id: str,
    body: UnmaskRequest,
    request: Request,
    q: Queries = Depends(queries),
    principal: Principal = Depends(UNMASK_CASE),
) -> JSONResponse:
    """Reveal one case's personal fields to an authorised caller; audited with the reason."""
    incident = await visible_incident(q, incident_id, principal)
    entry = await unmask_audited(request, incident, principal, body.reason)
    return JSONResponse(
        {"incident": revealed_incident(incident), "audit_id": entry},
        headers={"Cache-Control": "no-store"},
    )


async def unmask_audited(
    request: Request, incident: Incident, principal: Principal, reason: str
) -> str:
    """The audit entry of one unmasking (the API and the page both call this)."""
    if not has_right(principal, Right.UNMASK):  # the route's roles say so too
        raise HTTPException(403, detail=f"role {principal.role.value} may not unmask")
    fields = sorted({path.split(".")[0] for path in PERSONAL})
    return await audit_request(
        request,
        AuditAction.UNMASK,
        target=incident.id,
        detail={"reason": reason, "fields": fields},
    )
