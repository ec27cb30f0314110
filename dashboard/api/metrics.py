"""The KPIs: ``GET /api/v1/metrics/{departments|streets|communities|grids|categories|periods|
stages}?from=&to=`` (``periods`` takes ``unit=day|week|month``).

Every row has ``key`` (department, area or category code, or period label) and the figures of
``dashboard.metrics``; ``rank`` is set only for rows with at least ``metrics.min_sample`` due
cases. Names of departments and areas are added from the reference data.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool

from dashboard import metrics
from dashboard.api.deps import queries
from dashboard.queries import Queries
from gridwall.access.roles import Role
from gridwall.refdata.registry import Registry
from gridwall.web.deps import require_roles, runtime

#: Figures of departments, areas and categories, no personal data; the wall reads the metrics
#: module directly, so wall tokens are not among the readers.
router = APIRouter(
    prefix="/api/v1/metrics",
    tags=["metrics"],
    dependencies=[Depends(require_roles(Role.OPERATOR, Role.DEPARTMENT, Role.LEADER, Role.ADMIN))],
)

DIMENSIONS = (*metrics.CASE_DIMENSIONS, "departments", "periods", "stages")


def _name(registry: Registry, dimension: str, key: str | None) -> str | None:
    if key is None:
        return None
    if dimension == "departments":
        dept = registry.department(key)
        return dept.name if dept else None
    if dimension == "categories":
        category = registry.category(key)
        return category.name if category else None
    area = registry.area(key)
    return area.name if area else None


@router.get("/{dimension}")
async def kpis(
    dimension: str,
    request: Request,
    *,
    q: Queries = Depends(queries),
    start: str | None = Query(None, alias="from", description="Day or ISO time (inclusive)."),
    end: str | None = Query(None, alias="to", description="Day (inclusive) or ISO time."),
    unit: str = Query("day", pattern="^(day|week|month)$"),
) -> dict[str, Any]:
    if dimension not in DIMENSIONS:
        raise HTTPException(404, detail=f"no metrics by {dimension!r}; one of {DIMENSIONS}")
    rt = q.rt
    now = rt.now()
    try:
        period = metrics.parse_period(start, end, rt.tz, now)
    except ValueError as exc:
        raise HTTPException(422, detail=str(exc)) from None
    incidents = await q.period_incidents(period.start, period.end)
    min_sample = rt.settings.metrics.min_sample

    def compute() -> list[dict[str, Any]]:
        if dimension == "departments":
            return metrics.department_kpis(incidents, period, now, min_sample)
        if dimension == "periods":
            return metrics.period_kpis(
                incidents, period, unit, rt.tz, now=now, min_sample=min_sample
            )
        if dimension == "stages":
            return metrics.stage_kpis(incidents, period, now)
        return metrics.case_kpis(incidents, dimension, period, now, min_sample)

    rows = metrics.clean(await run_in_threadpool(compute))
    if dimension not in ("periods", "stages"):
        registry = await run_in_threadpool(runtime(request).registry.get)
        for row in rows:
            row["name"] = _name(registry, dimension, row["key"])
    return {
        "dimension": dimension,
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "as_of": now.isoformat(),
        "min_sample": min_sample,
        "rows": rows,
    }
