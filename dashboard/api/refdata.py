"""Reference data: ``/api/v1/categories``, ``/api/v1/areas``, ``/api/v1/refdata``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool

from feeds.access import PEOPLE, Role
from feeds.http.deps import require_roles, runtime
from feeds.refdata.model import Area, Level
from feeds.refdata.registry import Registry, registry_summary

#: Reference data holds no personal data: every person, wall and feed may read it. Routes
#: added to this router share this policy.
router = APIRouter(
    prefix="/api/v1",
    tags=["reference data"],
    dependencies=[Depends(require_roles(*PEOPLE, Role.SOURCE))],
)


async def _registry(request: Request) -> Registry:
    return await run_in_threadpool(runtime(request).registry.get)


@router.get("/categories")
async def categories(request: Request) -> list[dict[str, Any]]:
    registry = await _registry(request)
    return [c.model_dump(mode="json") for c in sorted(registry.categories.values(), key=_code)]


def _code(item: Any) -> str:
    return str(item.code)


def _feature(area: Area) -> dict[str, Any]:
    props = area.model_dump(mode="json", exclude={"geometry"})
    return {"type": "Feature", "id": area.code, "properties": props, "geometry": area.geometry}


@router.get("/areas", response_model=None)
async def areas(
    request: Request,
    level: Level | None = None,
    parent: str | None = None,
    format: str = Query("json", pattern="^(json|geojson)$"),
) -> list[dict[str, Any]] | dict[str, Any]:
    """Areas of one level (and one parent); ``format=geojson`` adds the polygons."""
    registry = await _registry(request)
    if parent is not None:
        if registry.area(parent) is None:
            raise HTTPException(404, detail=f"no area {parent}")
        found = registry.children(parent)
        if level is not None:
            found = [a for a in found if a.level is level]
    elif level is not None:
        found = registry.by_level(level)
    else:
        found = sorted(registry.areas.values(), key=_code)
    if format == "geojson":
        return {"type": "FeatureCollection", "features": [_feature(a) for a in found]}
    return [a.model_dump(mode="json", exclude={"geometry"}) for a in found]


@router.get("/refdata")
async def refdata(request: Request) -> dict[str, Any]:
    return registry_summary(await _registry(request))
