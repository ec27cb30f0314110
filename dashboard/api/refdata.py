"""Reference data, read through the registry: areas, departments, categories, cameras, workers.

``GET /api/v1/areas`` (by level and/or parent, JSON or GeoJSON), ``GET /api/v1/areas/{code}``
(with ancestors and counts), ``/departments``, ``/categories``, ``/cameras``, ``/workers``
(personal fields always masked) and ``/refdata`` (version and counts).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool

from gridwall.access.privacy import mask_paths
from gridwall.access.roles import PEOPLE, Role
from gridwall.contract.events import personal_paths
from gridwall.refdata.model import Area, DepartmentKind, Level, Worker
from gridwall.refdata.registry import Registry, registry_summary
from gridwall.web.deps import require_roles, runtime

#: Reference data holds no personal data: every person, wall and feed may read it. Routes
#: added to this router share this policy.
router = APIRouter(
    prefix="/api/v1",
    tags=["reference data"],
    dependencies=[Depends(require_roles(*PEOPLE, Role.SOURCE))],
)

WORKER_PERSONAL = personal_paths(Worker)
T = TypeVar("T")
MAX_PAGE = 10_000


async def _registry(request: Request) -> Registry:
    return await run_in_threadpool(runtime(request).registry.get)


def _code(item: Any) -> str:
    return str(item.code)


def _brief(area: Area) -> dict[str, Any]:
    return area.model_dump(mode="json", exclude={"geometry"})


def _feature(area: Area) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": area.code,
        "properties": _brief(area),
        "geometry": area.geometry,
    }


def _area_or_404(registry: Registry, code: str) -> Area:
    area = registry.area(code)
    if area is None:
        raise HTTPException(404, detail=f"no area {code}")
    return area


@router.get("/areas", response_model=None)
async def areas(
    request: Request,
    level: Level | None = None,
    parent: str | None = None,
    format: str = Query("json", pattern="^(json|geojson)$"),
) -> list[dict[str, Any]] | dict[str, Any]:
    """Areas of one level, or under one parent (its children; with ``level``, its descendants
    of that level); ``format=geojson`` adds the polygons."""
    registry = await _registry(request)
    if parent is not None:
        _area_or_404(registry, parent)
        if level is None:
            found = registry.children(parent)
        else:
            found = sorted((a for a in registry.descendants(parent) if a.level is level), key=_code)
    elif level is not None:
        found = registry.by_level(level)
    else:
        found = sorted(registry.areas.values(), key=_code)
    if format == "geojson":
        return {"type": "FeatureCollection", "features": [_feature(a) for a in found]}
    return [_brief(a) for a in found]


@router.get("/areas/{code}")
async def area(
    request: Request, code: str, format: str = Query("json", pattern="^(json|geojson)$")
) -> dict[str, Any]:
    """One area with its ancestors (parent first), children and counts below it."""
    registry = await _registry(request)
    found = _area_or_404(registry, code)
    below = registry.descendants(code)
    counts: dict[str, int] = {
        level.value: sum(1 for a in below if a.level is level)
        for level in Level
        if _below(found.level, level)
    }
    counts["cameras"] = len(registry.cameras_in(code))
    counts["workers"] = len(registry.workers_in(code))
    body = _feature(found) if format == "geojson" else found.model_dump(mode="json")
    return {
        **body,
        "ancestors": [_brief(a) for a in registry.ancestors(code)],
        "children": [a.code for a in registry.children(code)],
        "counts": counts,
    }


def _below(upper: Level, lower: Level) -> bool:
    order = list(Level)
    return order.index(lower) > order.index(upper)


@router.get("/departments")
async def departments(request: Request, kind: DepartmentKind | None = None) -> list[dict[str, Any]]:
    registry = await _registry(request)
    found = sorted(registry.departments.values(), key=_code)
    return [d.model_dump(mode="json") for d in found if kind is None or d.kind is kind]


@router.get("/categories")
async def categories(request: Request, parent: str | None = None) -> list[dict[str, Any]]:
    """The catalogue by code; ``parent=CODE`` gives one class's subcategories,
    ``parent=`` (empty) the top-level classes."""
    registry = await _registry(request)
    found = sorted(registry.categories.values(), key=_code)
    if parent is not None:
        found = [c for c in found if (c.parent or "") == parent]
    return [c.model_dump(mode="json") for c in found]


class Paging:
    """``limit`` and ``offset`` of a list endpoint (a FastAPI dependency)."""

    def __init__(
        self,
        limit: int = Query(1000, ge=1, le=MAX_PAGE),
        offset: int = Query(0, ge=0),
    ) -> None:
        self.limit = limit
        self.offset = offset

    def of(self, found: Sequence[T], dump: Callable[[T], dict[str, Any]]) -> dict[str, Any]:
        items = [dump(item) for item in found[self.offset : self.offset + self.limit]]
        return {"total": len(found), "offset": self.offset, "items": items}


async def _scoped(request: Request, area: str | None) -> Registry:
    """The registry, after checking that ``area`` (when given) exists."""
    registry = await _registry(request)
    if area is not None:
        _area_or_404(registry, area)
    return registry


@router.get("/cameras")
async def cameras(
    request: Request, area: str | None = None, page: Paging = Depends()
) -> dict[str, Any]:
    """Cameras by id, optionally those in one area (any level), a page at a time."""
    registry = await _scoped(request, area)
    found = registry.cameras_in(area) if area else list(registry.cameras.values())
    return page.of(sorted(found, key=lambda c: c.id), lambda c: c.model_dump(mode="json"))


@router.get("/workers")
async def workers(
    request: Request, area: str | None = None, page: Paging = Depends()
) -> dict[str, Any]:
    """Grid workers (optionally of one area), name, phone and ID number masked."""
    registry = await _scoped(request, area)
    found = registry.workers_in(area) if area else list(registry.workers.values())
    return page.of(
        sorted(found, key=lambda w: w.id),
        lambda w: mask_paths(w.model_dump(mode="json"), WORKER_PERSONAL),
    )


@router.get("/refdata")
async def refdata(request: Request) -> dict[str, Any]:
    return registry_summary(await _registry(request))
