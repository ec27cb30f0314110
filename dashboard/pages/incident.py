"""One case for people: ``/incidents/{id}``, masked, with the unmask button for those with
the right (the reason is required and audited, the revealed page is never cached)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from dashboard.api.deps import queries
from dashboard.api.incidents import (
    READ_CASE,
    UNMASK_CASE,
    public_incident,
    revealed_incident,
    unmask_audited,
    visible_incident,
)
from dashboard.pages.render import render
from dashboard.queries import Queries
from gridwall.access.roles import Principal, Right, has_right
from gridwall.contract.events import is_incident_id

router = APIRouter(tags=["pages"])


@router.get("/incidents", include_in_schema=False)
async def find_incident(
    id: str = Query(max_length=64),
    _principal: Principal = Depends(READ_CASE),
) -> Response:
    target = id.strip()
    if not is_incident_id(target):
        raise HTTPException(404, detail="not an incident id")
    return RedirectResponse(f"/incidents/{target}", status_code=303)


async def _page(request: Request, q: Queries, incident_id: str, principal: Principal) -> Response:
    try:
        incident = await visible_incident(q, incident_id, principal)
    except HTTPException:
        return render(request, "home.html", status=404, walls=[], can_read=True, missing=True)
    return render(
        request,
        "incident.html",
        incident=public_incident(incident),
        revealed=False,
        can_unmask=has_right(principal, Right.UNMASK),
    )


@router.get("/incidents/{incident_id}", include_in_schema=False)
async def incident_page(
    incident_id: str,
    request: Request,
    q: Queries = Depends(queries),
    principal: Principal = Depends(READ_CASE),
) -> Response:
    return await _page(request, q, incident_id, principal)


@router.post("/incidents/{incident_id}/unmask", include_in_schema=False)
async def unmask_page(
    incident_id: str,
    request: Request,
    *,
    reason: str = Form(min_length=4, max_length=500),
    lang: str | None = Form(None, max_length=8),
    q: Queries = Depends(queries),
    principal: Principal = Depends(UNMASK_CASE),
) -> Response:
    incident = await visible_incident(q, incident_id, principal)
    await unmask_audited(request, incident, principal, reason.strip())
    return render(
        request,
        "incident.html",
        lang=lang,
        incident=revealed_incident(incident),
        revealed=True,
        can_unmask=False,
    )
