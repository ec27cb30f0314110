"""``POST /api/v1/events``: one event or an array, all-or-nothing.

Answers 202 with the incident ids (200 when every event was a duplicate), and refuses bad input
with a reason: 400 (not JSON), 401 (token, signature), 403 (source or address not allowed),
413 (too large), 415 (content type), 422 (invalid), 429 (rate limit, with ``Retry-After``),
each time keeping the raw body and the reasons in the dead-letter stream.

Callers: people and systems with an API token (admins, operators), and sources with their own
token (role ``source``, bound to one source id; see ``feeds.sources.credentials``). A source
listed in the feeds file as ``type = "http"`` may require HMAC signatures, cap its body size,
limit its rate and restrict addresses. Photos come as URLs in ``photos`` or as image parts of a
``multipart/form-data`` body (part ``event`` is the JSON; parts ``photo`` attach to the only or
first event, ``photo.<n>`` to event n), stored on disk with size and type caps.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec
from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from feeds.adapters.http.adapter import accept
from feeds.adapters.http.config import HttpSource
from feeds.adapters.http.parse import body_source
from feeds.http.service import FeedsService, feeds_service
from feeds.sources.common import DeviceAccess, SecretError
from feeds.sources.guards import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature
from gridwall.access.roles import Principal, Role
from gridwall.contract.refusal import FieldError, Refused
from gridwall.runtime import Runtime
from gridwall.web.deps import (
    BodyTooLarge,
    bearer_token,
    read_body,
    require_roles,
    runtime,
)
from gridwall.web.policy import client_ip
from gridwall.web.refusal import documented, refusal_response

router = APIRouter(prefix="/api/v1", tags=["intake"])

ENDPOINT = "POST /api/v1/events"
#: Feeds, operators (hotline reports typed in) and admins post events; walls never write.
POSTERS = (Role.ADMIN, Role.OPERATOR, Role.SOURCE)
POSTER_POLICY = require_roles(*POSTERS)


class EventResult(BaseModel):
    index: int
    incident_id: str
    duplicate: bool


class EventsAccepted(BaseModel):
    incident_ids: list[str]
    results: list[EventResult]


@dataclass
class _Request:
    principal: Principal
    source: HttpSource | None
    body: bytes = b""


def _authenticate(request: Request, svc: FeedsService, rt: Runtime) -> _Request:
    token = bearer_token(request)
    principal = rt.tokens.lookup(token) if token else None
    if principal is None or token is None:
        raise Refused(401, "a valid bearer token is required", headers=_CHALLENGE)
    expired = svc.sink.tokens.check(principal, token)
    if expired:
        raise Refused(401, expired, headers=_CHALLENGE)
    if principal.role not in POSTERS:
        raise Refused(403, f"role {principal.role.value} may not post events")
    configured = svc.feeds.get(principal.source) if principal.source else None
    source = configured if isinstance(configured, HttpSource) else None
    if source is not None:
        if not source.enabled:
            raise Refused(403, f"source {source.id!r} is disabled")
        address = client_ip(request.scope)
        if source.allow and not DeviceAccess(allow=source.allow).allows(address):
            raise Refused(403, f"address {address} may not post as {source.id!r}")
    return _Request(principal, source)


_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="gridwall"'}


def _check_signature(req: _Request, request: Request, svc: FeedsService, rt: Runtime) -> None:
    if req.source is None or req.source.hmac is None:
        return
    try:
        secret = req.source.hmac.value()
    except SecretError as exc:
        raise Refused(401, f"signature secret unavailable: {exc}") from None
    reason = verify_signature(
        rt.client,
        rt.keys,
        secret,
        req.body,
        timestamp=request.headers.get(TIMESTAMP_HEADER),
        signature=request.headers.get(SIGNATURE_HEADER),
        now=rt.now().timestamp(),
        tolerance_s=rt.settings.feeds.hmac_tolerance_s,
    )
    if reason:
        raise Refused(401, reason, [FieldError("signature", reason)])


def _accept(svc: FeedsService, req: _Request, ctype: str) -> Response:
    """The synchronous part (runs in a worker thread)."""
    done = accept(svc.sink, req.principal, req.source, req.body, ctype)
    payload = {  # the EventsAccepted shape, built plainly: arrays of 1,000 answers are common
        "incident_ids": [r.incident_id for r in done.results],
        "results": [
            {"index": i, "incident_id": r.incident_id, "duplicate": r.duplicate}
            for i, r in enumerate(done.results)
        ],
    }
    return Response(
        msgspec.json.encode(payload),
        status_code=202 if done.fresh else 200,
        media_type="application/json",
    )


@router.post(
    "/events",
    dependencies=[Depends(POSTER_POLICY)],
    status_code=202,
    response_model=EventsAccepted,
    responses={
        200: {"model": EventsAccepted, "description": "every event was a duplicate"},
        **documented(400, 401, 403, 413, 415, 422, 429),
    },
)
async def post_events(request: Request) -> Response:
    """Accept one event object or an array of them (JSON, or multipart with photos)."""
    rt = runtime(request)
    svc = feeds_service(request)
    req: _Request | None = None
    try:
        req = _authenticate(request, svc, rt)
        limit = rt.settings.http.max_body_bytes
        if req.source is not None and req.source.max_body_bytes:
            limit = req.source.max_body_bytes
        if request.headers.get("content-type", "").lower().startswith("multipart/"):
            limit += rt.settings.feeds.photo_max_bytes * rt.settings.feeds.photo_max_count
        req.body = await read_body(request, limit)
        await run_in_threadpool(_check_signature, req, request, svc, rt)
        return await run_in_threadpool(_accept, svc, req, request.headers.get("content-type", ""))
    except BodyTooLarge as exc:
        return await _refuse(request, svc, Refused(413, str(exc)), exc.head, req)
    except Refused as refused:
        if refused.status == 401 and req is None:  # no credentials at all: not a refusal to keep
            return JSONResponse({"detail": refused.detail}, 401, headers=refused.headers)
        return await _refuse(request, svc, refused, req.body if req else b"", req)


async def _refuse(
    request: Request, svc: FeedsService, refused: Refused, body: bytes, req: _Request | None
) -> JSONResponse:
    errors = refused.errors or [FieldError("body", refused.detail)]
    source = "unknown"
    if req is not None:
        source = req.principal.source or body_source(body)
    entry = await run_in_threadpool(
        lambda: svc.sink.refuse(source, ENDPOINT, errors, body, remote=client_ip(request.scope))
    )
    return refusal_response(refused, errors, entry)
