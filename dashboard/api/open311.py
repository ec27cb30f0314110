"""gridwall's own Open311 GeoReport v2 read API, so other systems can read its cases.

``GET /open311/v2/services.json`` (the category catalogue), ``GET /open311/v2/requests.json``
(filters ``service_request_id`` — comma-separated, overrides the others —, ``service_code``,
``status`` open/closed, ``start_date``/``end_date`` on the requested time: at most 90 days and
1,000 requests per call, newest first) and ``GET /open311/v2/requests/{id}.json``. JSON only.
Personal data never appears: no reporter, no address; the title and description are public.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from gridwall.access.privacy import mask_text
from gridwall.access.roles import Role
from gridwall.contract.events import is_incident_id
from gridwall.engine.incident import Incident
from gridwall.refdata.registry import Registry
from gridwall.runtime import Runtime
from gridwall.web.deps import require_roles, runtime

#: Other systems (a hotline with its source token) and people read cases here; walls do not.
router = APIRouter(
    prefix="/open311/v2",
    tags=["open311"],
    dependencies=[Depends(require_roles(Role.SOURCE, Role.OPERATOR, Role.LEADER, Role.ADMIN))],
)

PAGE_MAX = 1000
SPAN_MAX = timedelta(days=90)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds")


def service_request(incident: Incident, registry: Registry) -> dict[str, Any]:
    """One incident as a GeoReport v2 service request."""
    category = registry.category(incident.category)
    notes = next((t.note for t in reversed(incident.history) if t.note), "")
    loc = incident.location
    return {
        "service_request_id": incident.id,
        "status": "open" if incident.is_open else "closed",
        "status_notes": mask_text(notes),
        "service_name": category.name if category else incident.category,
        "service_code": incident.category,
        "description": _text(incident),
        "agency_responsible": "",
        "service_notice": "",
        "requested_datetime": _iso(incident.reported_at),
        "updated_datetime": _iso(incident.updated_at),
        "expected_datetime": None,
        "address": "",
        "address_id": "",
        "zipcode": "",
        "lat": None if loc is None else round(loc.lat, 6),
        "long": None if loc is None else round(loc.lon, 6),
        "media_url": incident.photos[0] if incident.photos else "",
    }


def _text(incident: Incident) -> str:
    """Title and description with the phone and ID numbers in them masked (free text is
    personal data: ``PersonalKind.TEXT``/``NOTE``)."""
    if not incident.description:
        return mask_text(incident.title)
    return mask_text(f"{incident.title}\n{incident.description}"[:4000])


def _docs(rt: Runtime, ids: list[str]) -> list[Incident]:
    if not ids:
        return []
    raws = rt.client.mget([rt.keys.incident(i) for i in ids])
    return [Incident.model_validate_json(raw) for raw in raws if raw is not None]


def _find(rt: Runtime, ids: list[str] | None, start: datetime, end: datetime) -> list[Incident]:
    if ids is not None:
        return _docs(rt, [i for i in ids if is_incident_id(i)][:PAGE_MAX])
    found = rt.client.zrevrangebyscore(
        rt.keys.reported_index, end.timestamp(), start.timestamp(), start=0, num=PAGE_MAX * 4
    )
    return _docs(
        rt, [(i.decode() if isinstance(i, bytes) else str(i)) for i in cast(list[Any], found)]
    )


def _parse_date(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        found = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise HTTPException(400, detail=f"{name} is not a W3C date-time") from None
    if found.tzinfo is None:
        raise HTTPException(400, detail=f"{name} needs an offset (e.g. +08:00)")
    return found


@router.get("/services.json")
async def services(request: Request) -> list[dict[str, Any]]:
    registry = await run_in_threadpool(runtime(request).registry.get)
    rows = []
    for category in sorted(registry.categories.values(), key=lambda c: c.code):
        parent = registry.category(category.parent) if category.parent else None
        rows.append(
            {
                "service_code": category.code,
                "service_name": category.name,
                "description": category.name_en,
                "metadata": False,
                "type": "realtime",
                "keywords": "",
                "group": parent.name if parent else category.name,
            }
        )
    return rows


@router.get("/requests.json")
async def requests(
    *,
    request: Request,
    service_request_id: str | None = Query(None, max_length=20_000),
    service_code: str | None = Query(None, max_length=2000),
    status: str | None = Query(None, pattern=r"^(open|closed)(,(open|closed))?$"),
    start_date: str | None = None,
    end_date: str | None = None,
) -> JSONResponse:
    rt = runtime(request)
    end = _parse_date(end_date, "end_date") or rt.now()
    start = _parse_date(start_date, "start_date") or end - SPAN_MAX
    if end - start > SPAN_MAX:
        return JSONResponse([{"code": 400, "description": "at most 90 days per request"}], 400)
    ids = [i.strip() for i in service_request_id.split(",")] if service_request_id else None
    incidents, registry = await run_in_threadpool(
        lambda: (_find(rt, ids, start, end), rt.registry.get())
    )
    codes = set(service_code.split(",")) if service_code else None
    statuses = set(status.split(",")) if status else None
    rows = []
    for incident in incidents:
        row = service_request(incident, registry)
        if ids is None and (codes and row["service_code"] not in codes):
            continue
        if ids is None and statuses and row["status"] not in statuses:
            continue
        rows.append(row)
        if len(rows) >= PAGE_MAX:
            break
    return JSONResponse(rows)


@router.get("/requests/{request_id}.json")
async def one_request(request: Request, request_id: str) -> JSONResponse:
    rt = runtime(request)
    if not is_incident_id(request_id):
        return JSONResponse([{"code": 404, "description": "not a request id"}], 404)
    incidents, registry = await run_in_threadpool(
        lambda: (_docs(rt, [request_id]), rt.registry.get())
    )
    if not incidents:
        return JSONResponse([{"code": 404, "description": f"no request {request_id}"}], 404)
    return JSONResponse([service_request(incidents[0], registry)])
