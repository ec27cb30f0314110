"""``GET /api/v1/incidents/{id}``: one incident with its history, personal data masked."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query

from dashboard.api.deps import queries
from dashboard.queries import Queries
from feeds.contract import is_incident_id, personal_paths
from feeds.incident import Incident
from feeds.privacy import mask_paths

router = APIRouter(prefix="/api/v1", tags=["incidents"])

PERSONAL = personal_paths(Incident)


def public_incident(incident: Incident) -> dict[str, Any]:
    """The incident as the read API shows it (personal fields masked)."""
    return mask_paths(incident.model_dump(mode="json", exclude={"seen"}), PERSONAL)


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
    return public_incident(incident)
