"""``GET /api/v1/audit``: the audit trail for admins, newest first, with filters.

``format=jsonl`` exports the matching entries as JSON lines (the export is itself audited).
Entries older than ``audit.hot_days`` are in the archive files, not here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from gridwall.access.audit import AuditAction, AuditQuery, read_audit
from gridwall.access.roles import Role
from gridwall.web.deps import audit_request, require_roles, runtime

router = APIRouter(
    prefix="/api/v1", tags=["audit"], dependencies=[Depends(require_roles(Role.ADMIN))]
)


@router.get("/audit", response_model=None)
async def get_audit(
    request: Request,
    *,
    actor: str | None = Query(None, max_length=64),
    action: str | None = Query(None, max_length=64),
    target: str | None = Query(None, max_length=200),
    outcome: str | None = Query(None, max_length=32),
    since: datetime | None = Query(None, description="ISO 8601 time, inclusive."),
    until: datetime | None = Query(None, description="ISO 8601 time, inclusive."),
    before: str | None = Query(None, pattern=r"^\d+-\d+$", description="Cursor: older than."),
    limit: int = Query(100, ge=1, le=1000),
    format: str = Query("json", pattern="^(json|jsonl)$"),
) -> Response:
    rt = runtime(request)
    query = AuditQuery(
        actor=actor,
        action=action,
        target=target,
        outcome=outcome,
        since=since,
        until=until,
        before=before,
        limit=limit,
    )
    entries, cursor = await run_in_threadpool(read_audit, rt.client, rt.keys, query)
    if format == "jsonl":
        filters: dict[str, Any] = {
            k: str(v) for k, v in vars(query).items() if v is not None and k != "limit"
        }
        await audit_request(
            request,
            AuditAction.EXPORT,
            target="audit",
            detail={"entries": len(entries), "filters": filters},
        )
        body = "".join(e.model_dump_json() + "\n" for e in entries)
        return Response(body, media_type="application/x-ndjson")
    return JSONResponse({"entries": [e.model_dump(mode="json") for e in entries], "next": cursor})
