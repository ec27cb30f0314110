"""Camera and platform hooks: ``POST /api/v1/alarms/hikvision`` and ``/api/v1/alarms/gb28181``.

Devices cannot send bearer tokens: a request is admitted by its source address (the source's
``allow`` list; ``?source=<id>`` picks a source explicitly, else the first enabled source of the
type that allows the address) and, when the source has ``auth``, HTTP basic or digest
credentials. No credentials → 401 with the challenge; wrong ones or a refused address → 401/403,
kept in the dead letters. Devices retry forever on errors, so content problems (a body too
large, malformed XML, no device identity) are answered **200** with ``{"status": "refused",
"reason": ...}`` and kept in the dead letters all the same; the answer never waits for more
than the parse and one Redis round trip.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from starlette.routing import Route

from feeds.adapters.gb28181 import adapter as gb28181_adapter
from feeds.adapters.gb28181.config import Gb28181Source
from feeds.adapters.hikvision import adapter as hikvision_adapter
from feeds.adapters.hikvision.config import HikvisionSource
from feeds.alarms.devices import DeviceItem
from feeds.http.service import FeedsService, feeds_service
from feeds.sources.common import SecretError
from gridwall.contract.refusal import PayloadError
from gridwall.web.deps import BodyTooLarge, read_body
from gridwall.web.policy import client_ip

DeviceSource = HikvisionSource | Gb28181Source


class _Denied(Exception):
    def __init__(self, status: int, reason: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.headers = headers or {}


def choose_source(
    svc: FeedsService, model: type[DeviceSource], address: str, wanted: str | None
) -> DeviceSource:
    """The source a device request belongs to; raises _Denied."""
    kind = model.model_fields["type"].annotation.__args__[0]  # type: ignore[union-attr]
    if wanted:
        found = svc.feeds.get(wanted)
        if not isinstance(found, model) or not found.enabled:
            raise _Denied(403, f"no enabled {kind} source {wanted!r}")
        if not found.allows(address):
            raise _Denied(403, f"address {address} is not allowed for source {wanted!r}")
        return found
    for source in svc.feeds.of_type(model):
        if source.allows(address):
            return source
    raise _Denied(403, f"no {kind} source admits address {address}")


def authenticate(svc: FeedsService, source: DeviceSource, request: Request) -> None:
    if source.auth is None:
        return
    header = request.headers.get("authorization")
    challenge = {"WWW-Authenticate": svc.devices.challenge(source.auth)}
    if not header:
        raise _Denied(401, "credentials required", challenge)
    try:
        reason = svc.devices.verify(source.auth, header, request.method)
    except SecretError as exc:
        raise _Denied(401, f"source credentials unavailable: {exc}", challenge) from None
    if reason:
        raise _Denied(401, reason, challenge)


async def _device_push(request: Request, model: type[DeviceSource], endpoint: str) -> JSONResponse:
    svc = feeds_service(request)
    address = client_ip(request.scope)
    body = b""
    source_id = request.query_params.get("source") or "unknown"
    try:
        source = choose_source(svc, model, address, request.query_params.get("source"))
        source_id = source.id
        authenticate(svc, source, request)
        body = await read_body(request, svc.sink.rt.settings.feeds.device_body_max_bytes)
    except _Denied as denied:
        if denied.status == 401 and "authorization" not in request.headers:
            return JSONResponse({"detail": denied.reason}, 401, headers=denied.headers)
        body = await _head(request)
        entry = await run_in_threadpool(
            partial(svc.sink.refuse, source_id, endpoint, denied.reason, body, remote=address)
        )
        refusal = {"detail": denied.reason, "deadletter": entry}
        return JSONResponse(refusal, denied.status, headers=denied.headers)
    except BodyTooLarge as exc:
        return await _refused_200(svc, source_id, endpoint, str(exc), exc.head, address=address)
    try:
        items = _parse(svc, source, body, request.headers.get("content-type", ""))
    except PayloadError as exc:
        reason = exc.reason if exc.field == "body" else f"{exc.field}: {exc.reason}"
        return await _refused_200(svc, source_id, endpoint, reason, body, address=address)
    if not items:
        return JSONResponse({"status": "ok", "alarms": 0, "heartbeats": 0, "ignored": 1})
    priorities = source.priorities if isinstance(source, HikvisionSource) else None
    taken = await svc.sink.deliver(source.id, items, body, priorities=priorities)
    content: dict[str, Any] = {
        "status": "ok",
        "alarms": taken.alarms,
        "heartbeats": taken.heartbeats,
        "duplicates": taken.duplicates,
    }
    if taken.unknown:
        content["unknown_devices"] = taken.unknown
    if taken.notes:
        content["notes"] = taken.notes
    return JSONResponse(content)


def _parse(svc: FeedsService, source: DeviceSource, body: bytes, ctype: str) -> list[DeviceItem]:
    if isinstance(source, HikvisionSource):
        return hikvision_adapter.items_of(svc.sink, source, body, ctype)
    return gb28181_adapter.items_of(svc.sink, source, body)


async def _head(request: Request) -> bytes:
    """Whatever of a refused body can be read cheaply (for the dead letter)."""
    try:
        return await read_body(request, 65_536)
    except BodyTooLarge as exc:
        return exc.head
    except Exception:
        return b""


async def _refused_200(
    svc: FeedsService, source: str, endpoint: str, reason: str, body: bytes, *, address: str
) -> JSONResponse:
    entry = await run_in_threadpool(
        lambda: svc.sink.refuse(source, endpoint, reason, body, remote=address)
    )
    return JSONResponse({"status": "refused", "reason": reason, "deadletter": entry})


async def hikvision(request: Request) -> JSONResponse:
    """Hikvision ISAPI alarm push: XML, JSON or multipart with up to three JPEGs."""
    return await _device_push(request, HikvisionSource, "POST /api/v1/alarms/hikvision")


async def gb28181(request: Request) -> JSONResponse:
    """GB/T 28181 MANSCDP notification (Alarm, Keepalive) forwarded by a platform."""
    return await _device_push(request, Gb28181Source, "POST /api/v1/alarms/gb28181")


#: Mounted as plain Starlette routes: a camera post must not pay for FastAPI's request
#: machinery (dependency solving, response models); they are documented in docs/feeds.md.
ROUTES = [
    Route("/api/v1/alarms/hikvision", hikvision, methods=["POST"], name="hikvision"),
    Route("/api/v1/alarms/gb28181", gb28181, methods=["POST"], name="gb28181"),
]
