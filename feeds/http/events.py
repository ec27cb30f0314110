"""``POST /api/v1/events``: one event or an array, all-or-nothing.

Answers 202 with the incident ids (200 when every event was a duplicate), and refuses bad input
with a reason per field: 400 (not JSON), 413 (too large), 415 (not JSON content), 422 (invalid),
each time keeping the raw body and the reasons in the dead-letter stream.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from feeds.access import Principal, Role
from feeds.contract import EventIn, Normalized
from feeds.http.deps import BodyTooLarge, client_address, read_body, require_roles, runtime
from feeds.intake import FieldError, IntakeError, validation_errors
from feeds.runtime import Runtime

router = APIRouter(prefix="/api/v1", tags=["intake"])

ENDPOINT = "POST /api/v1/events"
#: Feeds, operators (hotline reports typed in) and admins post events; walls never write.
POSTERS = require_roles(Role.SOURCE, Role.OPERATOR, Role.ADMIN)


class EventResult(BaseModel):
    index: int
    incident_id: str
    duplicate: bool


class EventsAccepted(BaseModel):
    incident_ids: list[str]
    results: list[EventResult]


class Refusal(BaseModel):
    detail: str
    errors: list[dict[str, Any]]
    deadletter: str


@dataclass
class _Refused(Exception):
    status: int
    detail: str
    errors: list[FieldError]


def _parse(body: bytes, content_type: str, max_events: int) -> list[Any]:
    if "json" not in content_type.lower():
        raise _Refused(415, "content type must be application/json", [])
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _Refused(400, f"body is not JSON: {exc}", []) from exc
    items = data if isinstance(data, list) else [data]
    if not items:
        raise _Refused(422, "empty array", [FieldError("body", "no events")])
    if len(items) > max_events:
        raise _Refused(
            413, f"more than {max_events} events", [FieldError("body", "too many events")]
        )
    return items


def _normalize_all(rt: Runtime, items: list[Any], principal: Principal) -> list[Normalized]:
    errors: list[FieldError] = []
    normalized: list[Normalized] = []
    registry = rt.registry.get()
    now = rt.now()
    for index, item in enumerate(items):
        prefix = f"[{index}]." if len(items) > 1 else ""
        try:
            event = EventIn.model_validate(item)
        except ValidationError as exc:
            errors.extend(validation_errors(exc, prefix))
            continue
        if principal.source is not None and event.source != principal.source:
            errors.append(
                FieldError(f"{prefix}source", f"this token may only post as {principal.source!r}")
            )
            continue
        try:
            normalized.append(rt.intake.normalize(event, registry, now))
        except IntakeError as exc:
            errors.extend(FieldError(f"{prefix}{e.field}", e.reason) for e in exc.errors)
    if errors:
        raise _Refused(422, "invalid event", errors)
    return normalized


def _source_of(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return "unknown"
    first = data[0] if isinstance(data, list) and data else data
    source = first.get("source") if isinstance(first, dict) else None
    return source if isinstance(source, str) and len(source) <= 64 else "unknown"


@router.post(
    "/events",
    status_code=202,
    response_model=EventsAccepted,
    responses={
        200: {"model": EventsAccepted, "description": "every event was a duplicate"},
        400: {"model": Refusal},
        413: {"model": Refusal},
        415: {"model": Refusal},
        422: {"model": Refusal},
    },
)
async def post_events(
    request: Request,
    principal: Principal = Depends(POSTERS),
) -> JSONResponse:
    """Accept one event object or an array of them."""
    rt = runtime(request)
    body = b""
    try:
        body = await read_body(request, rt.settings.http.max_body_bytes)
        items = _parse(
            body, request.headers.get("content-type", ""), rt.settings.http.max_batch_events
        )
        normalized = await run_in_threadpool(_normalize_all, rt, items, principal)
    except BodyTooLarge as exc:
        return await _refuse(request, rt, _Refused(413, str(exc), []), exc.head, principal)
    except _Refused as refused:
        return await _refuse(request, rt, refused, body, principal)
    results = await run_in_threadpool(rt.intake.enqueue, normalized)
    payload = EventsAccepted(
        incident_ids=[r.incident_id for r in results],
        results=[
            EventResult(index=i, incident_id=r.incident_id, duplicate=r.duplicate)
            for i, r in enumerate(results)
        ],
    )
    code = 200 if all(r.duplicate for r in results) else 202
    return JSONResponse(payload.model_dump(), status_code=code)


async def _refuse(
    request: Request, rt: Runtime, refused: _Refused, body: bytes, principal: Principal
) -> JSONResponse:
    errors = refused.errors or [FieldError("body", refused.detail)]
    source = principal.source or _source_of(body)
    entry = await run_in_threadpool(
        partial(rt.intake.dead_letter, remote=client_address(request)),
        source,
        ENDPOINT,
        errors,
        body,
    )
    content = Refusal(detail=refused.detail, errors=[e.as_dict() for e in errors], deadletter=entry)
    return JSONResponse(content.model_dump(), status_code=refused.status)
