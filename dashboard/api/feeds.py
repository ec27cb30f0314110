"""Feed state: ``/api/v1/sources``, ``/api/v1/alarms``, ``/api/v1/cameras/{id}``,
``/api/v1/deadletters``, and the stored images (``/api/v1/snapshots/...``, ``/api/v1/photos/...``).

Dead letters hold raw payloads (possibly personal data): only admins see them; operators see
the list without the raw bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

from dashboard.feedqueries import FeedQueries
from gridwall.access.privacy import redact_raw
from gridwall.access.roles import PEOPLE, Principal, Right, Role, has_right
from gridwall.contract.alarmtypes import TYPES
from gridwall.contract.health import SourceInfo
from gridwall.contract.media import MIME, MediaStore
from gridwall.web.deps import require_roles, runtime

router = APIRouter(prefix="/api/v1", tags=["feeds"])
#: Feed health, alarms and cameras: what the wall and people on duty see.
_WATCHERS = require_roles(*PEOPLE)
#: Refused input: the people who fix feeds (raw payloads for admins only).
_STAFF = require_roles(Role.ADMIN, Role.OPERATOR)
#: Images (faces, plates, places): people, not kiosk screens.
_VIEWERS = require_roles(Role.OPERATOR, Role.DEPARTMENT, Role.LEADER, Role.ADMIN)


def feed_queries(request: Request) -> FeedQueries:
    found = getattr(request.app.state, "feed_queries", None)
    if found is None:
        found = FeedQueries(runtime(request))
        request.app.state.feed_queries = found
    return found


def source_infos(request: Request) -> list[SourceInfo]:
    """The configured sources of this deployment (the server injects how they are read)."""
    found: Callable[[], list[SourceInfo]] | None = getattr(request.app.state, "source_infos", None)
    return found() if found is not None else []


@router.get("/sources", dependencies=[Depends(_WATCHERS)])
async def sources(request: Request, q: FeedQueries = Depends(feed_queries)) -> dict[str, Any]:
    """Every source's health (last event, events per minute, errors, dead letters, connected),
    the unknown cameras, camera counts and the dead-letter total."""
    return await run_in_threadpool(q.sources, source_infos(request))


@router.get("/alarms", dependencies=[Depends(_WATCHERS)])
async def alarms(
    *,
    q: FeedQueries = Depends(feed_queries),
    limit: int = Query(100, ge=1, le=1000),
    camera: str | None = Query(None, max_length=64),
    type: str | None = Query(None, max_length=32),
    active: bool | None = None,
    since: float | None = Query(None, description="Epoch seconds: alarms last seen since."),
) -> list[dict[str, Any]]:
    """Merged alarms, newest first."""
    if type is not None and type not in TYPES:
        raise HTTPException(422, detail=f"unknown alarm type {type!r}")
    return await run_in_threadpool(
        lambda: q.alarms(limit=limit, camera=camera, alarm_type=type, active=active, since=since)
    )


@router.get("/alarms/{alarm_id}")
async def alarm(
    alarm_id: str,
    q: FeedQueries = Depends(feed_queries),
    principal: Principal = Depends(_WATCHERS),
) -> dict[str, Any]:
    """One merged alarm; its raw payloads only for those who may read raw input."""
    if not alarm_id.isalnum() or len(alarm_id) > 40:
        raise HTTPException(404, detail=f"not an alarm id: {alarm_id!r}")
    found = await run_in_threadpool(q.alarm, alarm_id)
    if found is None:
        raise HTTPException(404, detail=f"no alarm {alarm_id}")
    if not has_right(principal, Right.RAW_DEADLETTERS):
        found["raw"] = [None if raw is None else redact_raw(raw) for raw in found["raw"]]
    return found


@router.get("/cameras/{camera_id}", dependencies=[Depends(_WATCHERS)])
async def camera(camera_id: str, q: FeedQueries = Depends(feed_queries)) -> dict[str, Any]:
    """One camera with ``last_seen`` (epoch s), ``online`` and its newest alarms."""
    found = await run_in_threadpool(q.camera, camera_id)
    if found is None:
        raise HTTPException(404, detail=f"no camera {camera_id}")
    return found


@router.get("/deadletters")
async def deadletters(
    *,
    q: FeedQueries = Depends(feed_queries),
    principal: Principal = Depends(_STAFF),
    limit: int = Query(50, ge=1, le=500),
    before: str | None = Query(None, pattern=r"^\d+-\d+$"),
    source: str | None = Query(None, max_length=64),
) -> list[dict[str, Any]]:
    """Refused input with its reasons, newest first (raw payloads for admins only)."""
    with_raw = has_right(principal, Right.RAW_DEADLETTERS)
    return await run_in_threadpool(
        lambda: q.deadletters(limit=limit, before=before, source=source, with_raw=with_raw)
    )


def _serve(store_dir: str, request: Request, day: str, name: str) -> FileResponse:
    settings = runtime(request).settings
    store = MediaStore(settings.data_dir / store_dir, 0, 0)
    path = store.path(f"{day}/{name}")
    if path is None:
        raise HTTPException(404, detail="no such image")
    return FileResponse(path, media_type=MIME[path.suffix.lstrip(".")])


@router.get(
    "/snapshots/{day}/{name}", response_class=FileResponse, dependencies=[Depends(_VIEWERS)]
)
async def snapshot(request: Request, day: str, name: str) -> FileResponse:
    """An alarm snapshot stored on disk."""
    return _serve("snapshots", request, day, name)


@router.get("/photos/{day}/{name}", response_class=FileResponse, dependencies=[Depends(_VIEWERS)])
async def photo(request: Request, day: str, name: str) -> FileResponse:
    """A photo uploaded with an event."""
    return _serve("photos", request, day, name)
