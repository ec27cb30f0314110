"""``GET /api/v1/incidents/{id}`` (personal data masked) and
``POST /api/v1/incidents/{id}/unmask`` (one case's personal data, with a reason, audited).

Department users reach only their own department's cases (``feeds.access.can_read_incident``);
another department's case answers 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from dashboard.api.deps import queries
from dashboard.queries import Queries
from feeds import access
from feeds.access import Principal, Right, Role, has_right
from feeds.audit import AuditAction
from feeds.contract import is_incident_id, personal_paths
from feeds.http.deps import audit_request, require_scoped_roles
from feeds.incident import Incident
from feeds.privacy import mask_paths

router = APIRouter(prefix="/api/v1", tags=["incidents"])

PERSONAL = personal_paths(Incident)
READERS = (Role.OPERATOR, Role.DEPARTMENT, Role.LEADER, Role.ADMIN)
UNMASKERS = tuple(role for role in Role if Right.UNMASK in access.RIGHTS[role])
READ_CASE = require_scoped_roles(*READERS)
UNMASK_CASE = require_scoped_roles(*UNMASKERS)


def public_incident(incident: Incident) -> dict[str, Any]:
    """The incident as the read API shows it (personal fields masked)."""
    return mask_paths(incident.model_dump(mode="json", exclude={"seen"}), PERSONAL)


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


@router.get("/incidents/{incident_id}")
async def get_incident(
    incident_id: str,
    q: Queries = Depends(queries),
    principal: Principal = Depends(READ_CASE),
) -> dict[str, Any]:
    return public_incident(await visible_incident(q, incident_id, principal))


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
