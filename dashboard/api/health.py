"""``GET /api/v1/health``: 200 when Redis answers and the processor keeps up, else 503.

``warnings`` lists what needs attention without stopping the pipeline: no SLA clock running
(warnings and breaches wait until one runs), or a year the working calendar has no official
holiday data for (counted on weekends and the policy file's overrides only).
"""

from __future__ import annotations

from typing import Any

import redis
from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from dashboard.api.deps import queries
from dashboard.queries import Queries
from gridwall.web.deps import public

#: Open to all: monitoring and the walls' reload watchdog call it without credentials.
router = APIRouter(prefix="/api/v1", tags=["health"], dependencies=[Depends(public)])


@router.get("/health")
async def health(q: Queries = Depends(queries)) -> JSONResponse:
    """Liveness of the whole pipeline, with the reason when it is not ok."""
    body: dict[str, Any] = {"status": "ok", "county": q.keys.county}
    try:
        await q.r.ping()
        lag = await run_in_threadpool(q.processor_lag)
        processors = await q.processors()
        clocks = await q.sla_clocks()
    except redis.RedisError as exc:
        return JSONResponse({"status": "unavailable", "reason": f"redis: {exc}"}, status_code=503)
    body["processor_lag_s"] = None if lag is None else round(lag, 3)
    body["processors"] = len(processors)
    body["open_incidents"] = await q.open_count()
    body["sla_clocks"] = len(clocks)
    warnings = [] if clocks else ["no SLA clock is running"]
    now = q.rt.now()
    for year in q.rt.policies.calendar.missing_years([now.year, now.year + 1]):
        warnings.append(
            f"no official holiday data for {year}: working time counts weekends and the "
            "policy file's overrides only (add the year to its calendar section)"
        )
    body["warnings"] = warnings
    max_lag = q.rt.settings.processor.max_lag_s
    reason = None
    if not processors:
        reason = "no processor is running"
    elif lag is not None and lag > max_lag:
        reason = f"processor lag {lag:.1f} s exceeds {max_lag:.0f} s"
    if reason:
        body.update(status="degraded", reason=reason)
        return JSONResponse(body, status_code=503)
    return JSONResponse(body)
