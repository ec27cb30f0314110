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

import json
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from feeds.access import Principal, Role
from feeds.adapters.base import PayloadError
from feeds.adapters.http.config import HttpSource
from feeds.adapters.multipart import Part, split
from feeds.contract import EventIn, Normalized, Report
from feeds.http.deps import BodyTooLarge, bearer_token, client_address, read_body, runtime
from feeds.http.guards import SIGNATURE_HEADER, TIMESTAMP_HEADER, take_rate, verify_signature
from feeds.http.service import FeedsService, feeds_service
from feeds.intake import FieldError, IntakeError, validation_errors
from feeds.runtime import Runtime
from feeds.sources.common import SecretError
from feeds.sources.media import image_type

router = APIRouter(prefix="/api/v1", tags=["intake"])

ENDPOINT = "POST /api/v1/events"
#: Roles that may post events besides sources.
POSTERS = (Role.ADMIN, Role.OPERATOR, Role.SOURCE)


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
    errors: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Request:
    principal: Principal
    source: HttpSource | None
    body: bytes = b""
    photos: dict[int, list[bytes]] = field(default_factory=dict)


def _authenticate(request: Request, svc: FeedsService, rt: Runtime) -> _Request:
    token = bearer_token(request)
    principal = rt.tokens.lookup(token) if token else None
    if principal is None or token is None:
        raise _Refused(401, "a valid bearer token is required", headers=_CHALLENGE)
    expired = svc.sink.tokens.check(principal, token)
    if expired:
        raise _Refused(401, expired, headers=_CHALLENGE)
    if principal.role not in POSTERS:
        raise _Refused(403, f"role {principal.role.value} may not post events")
    configured = svc.feeds.get(principal.source) if principal.source else None
    source = configured if isinstance(configured, HttpSource) else None
    if source is not None:
        if not source.enabled:
            raise _Refused(403, f"source {source.id!r} is disabled")
        address = client_address(request)
        if source.allow and not _allowed(source, address):
            raise _Refused(403, f"address {address} may not post as {source.id!r}")
    return _Request(principal, source)


def _allowed(source: HttpSource, address: str) -> bool:
    from feeds.sources.common import DeviceAccess  # noqa: PLC0415

    return DeviceAccess(allow=source.allow).allows(address)


_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="gridwall"'}


def _check_signature(req: _Request, request: Request, svc: FeedsService, rt: Runtime) -> None:
    if req.source is None or req.source.hmac is None:
        return
    try:
        secret = req.source.hmac.value()
    except SecretError as exc:
        raise _Refused(401, f"signature secret unavailable: {exc}") from None
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
        raise _Refused(401, reason, [FieldError("signature", reason)])


def _items(req: _Request, content_type: str, rt: Runtime) -> list[Any]:
    kind = content_type.split(";", 1)[0].strip().lower()
    body = req.body
    if kind == "multipart/form-data":
        body = _multipart(req, content_type, rt)
    elif "json" not in kind:
        raise _Refused(415, "content type must be application/json or multipart/form-data")
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _Refused(400, f"body is not JSON: {exc}") from None
    items = data if isinstance(data, list) else [data]
    if not items:
        raise _Refused(422, "empty array", [FieldError("body", "no events")])
    limit = rt.settings.http.max_batch_events
    if len(items) > limit:
        raise _Refused(413, f"more than {limit} events", [FieldError("body", "too many events")])
    return items


def _multipart(req: _Request, content_type: str, rt: Runtime) -> bytes:
    feeds = rt.settings.feeds
    if req.source is not None and not req.source.photos:
        raise _Refused(415, f"source {req.source.id!r} does not accept uploads")
    try:
        parts = split(
            req.body,
            content_type,
            max_part=feeds.photo_max_bytes,
            max_parts=feeds.photo_max_count + 1,
        )
    except PayloadError as exc:
        raise _Refused(
            413 if "larger" in exc.reason or "more than" in exc.reason else 400,
            exc.reason,
            [FieldError("body", exc.reason)],
        ) from None
    event = next((p for p in parts if p.name == "event"), None)
    if event is None:
        raise _Refused(400, "multipart body without an 'event' part")
    for part in parts:
        if part is not event:
            index = _photo_index(part)
            req.photos.setdefault(index, []).append(part.body)
    return event.body


def _photo_index(part: Part) -> int:
    name = part.name
    if name == "photo":
        return 0
    head, _, number = name.partition(".")
    if head == "photo" and number.isdigit():
        return int(number)
    raise _Refused(400, f"unexpected part {name!r} (use 'event', 'photo' or 'photo.<n>')")


def _source_name(req: _Request, items: list[Any]) -> str:
    if req.principal.source:
        return req.principal.source
    first = items[0] if items else None
    source = first.get("source") if isinstance(first, dict) else None
    return source if isinstance(source, str) and len(source) <= 64 else "unknown"


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


def _attach_photos(
    svc: FeedsService, rt: Runtime, req: _Request, events: list[Normalized]
) -> list[Normalized]:
    if not req.photos:
        return events
    feeds = rt.settings.feeds
    for index, images in req.photos.items():
        if index >= len(events) or not isinstance(events[index], Report):
            raise _Refused(422, f"photo.{index} has no report to attach to")
        for image in images:
            if len(image) > feeds.photo_max_bytes or image_type(image) is None:
                raise _Refused(415, "photos must be JPEG, PNG or WebP within the size cap")
    day = rt.now()
    attached = list(events)
    for index, images in req.photos.items():
        report = attached[index]
        assert isinstance(report, Report)
        refs = [
            "/api/v1/photos/" + svc.sink.photos.save(i, day, allowed=("jpg", "png", "webp"))
            for i in images
        ]
        photos = [*report.photos, *refs]
        if len(photos) > feeds.photo_max_count:
            raise _Refused(413, f"more than {feeds.photo_max_count} photos on one event")
        attached[index] = report.model_copy(update={"photos": photos})
    return attached


def _accept(svc: FeedsService, rt: Runtime, req: _Request, request_ct: str) -> JSONResponse:
    """The synchronous part (runs in a worker thread)."""
    items = _items(req, request_ct, rt)
    source = _source_name(req, items)
    if req.source is not None and req.source.rate_per_min:
        retry = take_rate(
            rt.client,
            rt.keys,
            source,
            len(items),
            limit_per_min=req.source.rate_per_min,
            now=rt.now().timestamp(),
        )
        if retry is not None:
            raise _Refused(
                429,
                f"rate limit of {req.source.rate_per_min} events per minute reached",
                [FieldError("body", "rate limit")],
                {"Retry-After": str(int(retry))},
            )
    normalized = _attach_photos(svc, rt, req, _normalize_all(rt, items, req.principal))
    results = rt.intake.enqueue(normalized)
    fresh = sum(not r.duplicate for r in results)
    if fresh:
        svc.sink.health.event(source, fresh)
    payload = EventsAccepted(
        incident_ids=[r.incident_id for r in results],
        results=[
            EventResult(index=i, incident_id=r.incident_id, duplicate=r.duplicate)
            for i, r in enumerate(results)
        ],
    )
    return JSONResponse(payload.model_dump(), status_code=200 if not fresh else 202)


@router.post(
    "/events",
    status_code=202,
    response_model=EventsAccepted,
    responses={
        200: {"model": EventsAccepted, "description": "every event was a duplicate"},
        **{code: {"model": Refusal} for code in (400, 401, 403, 413, 415, 422, 429)},
    },
)
async def post_events(request: Request) -> JSONResponse:
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
        return await run_in_threadpool(
            _accept, svc, rt, req, request.headers.get("content-type", "")
        )
    except BodyTooLarge as exc:
        refused = _Refused(413, str(exc))
        return await _refuse(request, svc, refused, exc.head, req)
    except _Refused as refused:
        if refused.status == 401 and req is None:  # no credentials at all: not a refusal to keep
            return JSONResponse({"detail": refused.detail}, 401, headers=refused.headers)
        return await _refuse(request, svc, refused, req.body if req else b"", req)


async def _refuse(
    request: Request, svc: FeedsService, refused: _Refused, body: bytes, req: _Request | None
) -> JSONResponse:
    errors = refused.errors or [FieldError("body", refused.detail)]
    source = "unknown"
    if req is not None:
        source = req.principal.source or _body_source(body)
    entry = await run_in_threadpool(
        lambda: svc.sink.refuse(source, ENDPOINT, errors, body, remote=client_address(request))
    )
    content = Refusal(detail=refused.detail, errors=[e.as_dict() for e in errors], deadletter=entry)
    return JSONResponse(content.model_dump(), status_code=refused.status, headers=refused.headers)


def _body_source(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return "unknown"
    first = data[0] if isinstance(data, list) and data else data
    source = first.get("source") if isinstance(first, dict) else None
    return source if isinstance(source, str) and len(source) <= 64 else "unknown"
