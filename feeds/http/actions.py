"""``POST /api/v1/incidents/{id}/actions``: a person acts on an incident.

The body names the action (accept, dispatch, sign, send_back, report_back, verify, close,
reopen, evaluate, request_extension, approve_extension, reject_extension, park, resume,
escalate, urge, supervise, feedback), the actor, the department and a note; any other field
(``co``, ``by``, ``result``, ``rating``, ``to`` ...) is a parameter of the action. The action is
checked against the incident's current state with the same pure function the processor uses:
an illegal transition is answered 409 with the reason before anything is enqueued (the
processor re-checks, and dead-letters the loser of a race). Accepted actions are appended to
the inbox (202); a repeated ``request_id`` changes nothing (200). Every refusal is kept in the
dead-letter stream with the raw body.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from feeds.intake import validation_errors
from gridwall.access import roles as access
from gridwall.access.audit import AuditAction
from gridwall.access.roles import Principal, Role
from gridwall.contract.events import Action, dedup_field, is_incident_id
from gridwall.contract.inbox import new_event_id
from gridwall.contract.refusal import FieldError, Refused
from gridwall.engine.cases.lifecycle import ACTIONS, check
from gridwall.engine.cases.rules import Rules
from gridwall.engine.incident import Incident
from gridwall.runtime import Runtime
from gridwall.web.deps import (
    BodyTooLarge,
    audit_request,
    read_body,
    require_scoped_roles,
    runtime,
)
from gridwall.web.policy import client_ip
from gridwall.web.refusal import documented, refusal_response

router = APIRouter(prefix="/api/v1", tags=["lifecycle"])

ENDPOINT = "POST /api/v1/incidents/{id}/actions"
SOURCE = "api"
ACTORS = (Role.OPERATOR, Role.DEPARTMENT, Role.ADMIN)
_may_act = require_scoped_roles(*ACTORS)


class ActionIn(BaseModel):
    """One action; fields not named here are the action's parameters."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    action: str = Field(description="One of the lifecycle actions.")
    actor: str | None = Field(None, max_length=64, description="Who acts (default: the caller).")
    department: str | None = Field(None, max_length=32)
    note: str = Field("", max_length=2000)
    at: AwareDatetime | None = Field(None, description="When it happened (default: now).")
    request_id: str | None = Field(
        None, min_length=1, max_length=128, description="Idempotency key of the request."
    )
    params: dict[str, Any] = Field(default_factory=dict)


class ActionAccepted(BaseModel):
    incident_id: str
    event_id: str
    action: str
    duplicate: bool


def _parse(body: bytes, content_type: str) -> ActionIn:
    if "json" not in content_type.lower():
        raise Refused(415, "content type must be application/json")
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Refused(400, f"body is not JSON: {exc}") from exc
    try:
        item = ActionIn.model_validate(data)
    except ValidationError as exc:
        raise Refused(422, "invalid action", validation_errors(exc)) from exc
    if item.action not in ACTIONS:
        raise Refused(
            422,
            "unknown action",
            [FieldError("action", f"unknown action {item.action!r}; one of {', '.join(ACTIONS)}")],
        )
    return item


def _event(item: ActionIn, incident_id: str, principal: Principal, now: datetime) -> Action:
    params = {**item.params, **(item.model_extra or {})}
    if principal.role is Role.DEPARTMENT and principal.department:
        if item.department and item.department != principal.department:
            raise Refused(403, f"this account acts for department {principal.department} only")
        item = item.model_copy(update={"department": principal.department})
    event_id = new_event_id()
    return Action(
        event_id=event_id,
        source=SOURCE,
        source_event_id=item.request_id or event_id,
        received_at=now,
        incident_id=incident_id,
        action=item.action,
        actor=item.actor or principal.name,
        at=item.at or now,
        department=item.department,
        note=item.note,
        params={**params, "principal": principal.name},
    )


def _check_and_enqueue(
    rt: Runtime, incident_id: str, event: Action, principal: Principal
) -> ActionAccepted:
    raw = rt.client.get(rt.keys.incident(incident_id))
    incident = None if raw is None else Incident.model_validate_json(raw)
    if incident is None or not access.can_read_incident(principal, incident):
        raise Refused(404, f"no incident {incident_id}")  # the same answer for both
    if event.source_event_id != event.event_id:  # a request_id: answer a repeat as before
        known = rt.client.hget(rt.keys.dedup, dedup_field(SOURCE, event.source_event_id))
        if known is not None:
            return ActionAccepted(
                incident_id=incident_id, event_id="", action=event.action, duplicate=True
            )
    reason = check(incident, event, event.received_at, Rules(rt.policies, rt.registry.get()))
    if reason is not None:
        raise Refused(409, reason)
    result = rt.inbox.enqueue([event])[0]
    return ActionAccepted(
        incident_id=incident_id,
        event_id=event.event_id,
        action=event.action,
        duplicate=result.duplicate,
    )


@router.post(
    "/incidents/{incident_id}/actions",
    status_code=202,
    response_model=ActionAccepted,
    responses={
        200: {"model": ActionAccepted, "description": "a repeated request_id"},
        **documented(400, 403, 404, 413, 415, 422, _409="illegal in the incident's current state"),
    },
)
async def post_action(
    incident_id: str,
    request: Request,
    principal: Principal = Depends(_may_act),
) -> JSONResponse:
    """Act on an incident (accept, dispatch, sign, report back, verify, extend, park ...)."""
    rt = runtime(request)
    body = b""
    try:
        if not is_incident_id(incident_id):
            raise Refused(404, f"not an incident id: {incident_id!r}")
        body = await read_body(request, rt.settings.http.max_body_bytes)
        item = _parse(body, request.headers.get("content-type", ""))
        event = _event(item, incident_id, principal, rt.now())
        accepted = await run_in_threadpool(_check_and_enqueue, rt, incident_id, event, principal)
    except BodyTooLarge as exc:
        return await _refuse(request, rt, Refused(413, str(exc)), exc.head, principal)
    except Refused as refused:
        return await _refuse(request, rt, refused, body, principal)
    if not accepted.duplicate:
        await audit_request(
            request,
            AuditAction.INCIDENT_ACTION,
            target=incident_id,
            detail={"action": accepted.action, "event_id": accepted.event_id},
        )
    return JSONResponse(accepted.model_dump(), status_code=200 if accepted.duplicate else 202)


async def _refuse(
    request: Request, rt: Runtime, refused: Refused, body: bytes, principal: Principal
) -> JSONResponse:
    errors = refused.errors or [FieldError("action", refused.detail)]
    entry = await run_in_threadpool(
        partial(rt.deadletters.write, remote=client_ip(request.scope)),
        principal.source or SOURCE,
        ENDPOINT,
        errors,
        body,
    )
    return refusal_response(refused, errors, entry)
