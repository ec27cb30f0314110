"""Incidents: one with its stages' deadlines and SLA state, or all of a period as JSON lines.

``GET /api/v1/incidents/{id}`` answers the incident with its history and, under ``sla``, every
stage's deadline, live SLA state (normal, warning, overdue, paused), clock time used and left.
``GET /api/v1/incidents?from=&to=&format=jsonl`` streams every incident reported in the period
(one JSON object per line, with history, stages and deadlines) so anyone can recompute the KPIs.
Personal data is masked in both.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import StreamingResponse

from dashboard.api.deps import queries
from dashboard.metrics import parse_period
from dashboard.queries import Queries
from feeds.contract import is_incident_id, personal_paths
from feeds.incident import Incident, sla_view
from feeds.privacy import mask_paths
from feeds.sla.calendar import WorkCalendar
from feeds.sla.stages import describe

router = APIRouter(prefix="/api/v1", tags=["incidents"])

PERSONAL = personal_paths(Incident)


def public_incident(
    incident: Incident, calendar: WorkCalendar | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """The incident as the read API shows it (personal fields masked), with its SLA view."""
    data = mask_paths(incident.model_dump(mode="json", exclude={"seen"}), PERSONAL)
    if calendar is not None and now is not None:
        state, deadline, stage = sla_view(incident)
        data["sla"] = {
            "state": state.value,
            "deadline": deadline.isoformat() if deadline else None,
            "stage": stage,
            "stages": {k: describe(s, calendar, now) for k, s in incident.stages.items()},
        }
    return data


@router.get("/incidents/recent")
async def recent_incidents(
    limit: int = Query(20, ge=1, le=200), q: Queries = Depends(queries)
) -> list[dict[str, Any]]:
    """Summaries of the newest incidents, newest first (no personal data)."""
    return await q.recent(limit)


@router.get("/incidents/{incident_id}")
async def get_incident(incident_id: str, q: Queries = Depends(queries)) -> dict[str, Any]:
    if not is_incident_id(incident_id):
        raise HTTPException(404, detail=f"not an incident id: {incident_id!r}")
    incident = await q.incident(incident_id)
    if incident is None:
        raise HTTPException(404, detail=f"no incident {incident_id}")
    return public_incident(incident, q.rt.policies.calendar, q.rt.now())


@router.get("/incidents", response_class=StreamingResponse)
async def list_incidents(
    q: Queries = Depends(queries),
    start: str | None = Query(None, alias="from", description="Day or ISO time (inclusive)."),
    end: str | None = Query(None, alias="to", description="Day (inclusive) or ISO time."),
    format: str = Query("jsonl", pattern="^jsonl$"),
) -> StreamingResponse:
    """Every incident reported in the period, one JSON object per line (default: 30 days)."""
    now = q.rt.now()
    try:
        period = parse_period(start, end, q.rt.tz, now)
    except ValueError as exc:
        raise HTTPException(422, detail=str(exc)) from None
    calendar = q.rt.policies.calendar

    async def lines() -> AsyncIterator[bytes]:
        async for incident in q.iter_reported(period.start, period.end):
            item = public_incident(incident, calendar, now)
            yield json.dumps(item, ensure_ascii=False).encode() + b"\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson")
