"""What each lifecycle action does beyond its status change (``EFFECTS``).

Each effect works on a ``Draft`` of the incident and returns the detail recorded in the
history entry, or raises ``ActionRefused`` with the reason the action is not possible now. Which
status an action is legal in is the table ``gridwall.engine.cases.lifecycle.TRANSITIONS``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from gridwall.contract.refusal import ActionRefused
from gridwall.engine.cases.draft import Draft
from gridwall.engine.cases.rules import Step
from gridwall.engine.incident import (
    FEEDBACK_STAGES,
    LEVEL_ORDER,
    CaseLevel,
    ExtensionRequest,
    StageName,
    Status,
    handle_key,
    level_above,
)
from gridwall.engine.sla import stages
from gridwall.engine.sla.policy import parse_duration

Detail = dict[str, Any]


# -- helpers -------------------------------------------------------------------------------
def _codes(value: Any, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ActionRefused(f"{name} must be a list of department codes")
    return list(dict.fromkeys(value))


def _acting(d: Draft, s: Step) -> tuple[str, str]:
    """The department acting (the lead when none is given) and its role."""
    lead: str | None = d.get("lead")
    dept = s.department or lead
    if dept is not None and dept == lead:
        return dept, "lead"
    if dept is not None and dept in d.get("co"):
        return dept, "co"
    raise ActionRefused(f"department {dept} is not handling this case")


def _assign(d: Draft, s: Step, lead: str, co: list[str]) -> Detail:
    for code in [lead, *co]:
        if s.rules.unknown_department(code):
            raise ActionRefused(f"unknown department {code!r}")
    d.set("lead", lead)
    d.set("co", co)
    if d.get("dispatched_at") is None:
        d.set("dispatched_at", s.at)
    d.start(StageName.SIGN, s.at, department=lead, role="lead")
    d.start(StageName.HANDLE, s.at, department=lead, role="lead")
    for code in co:
        d.start(StageName.HANDLE, s.at, department=code, role="co", key=handle_key(code, "co"))
    return {"lead": lead, "co": co}


def _unassign(d: Draft, at: datetime) -> None:
    d.cancel("sign", at)
    for key in d.handle_keys():
        d.cancel(key, at)
    d.set("lead", None)
    d.set("co", [])
    d.set("extension_request", None)


def _duration(d: Draft, s: Step, key: str, basis_stage: str) -> timedelta:
    raw = s.params.get(key)
    stage = d.stage(basis_stage)
    if not isinstance(raw, str) or stage is None:
        raise ActionRefused(f"{s.action} needs {key} (a duration like 2d or 4h)")
    try:
        amount = parse_duration(raw, d.calendar.day(stage.basis))
    except ValueError as exc:
        raise ActionRefused(str(exc)) from None
    if amount <= timedelta(0):
        raise ActionRefused(f"{key} must be longer than zero")
    return amount


def escalate_to(d: Draft, to: CaseLevel | str | None, cap: CaseLevel = CaseLevel.CITY) -> Detail:
    """Move the case up: one level (``next``/None) or to a named level, never past ``cap``."""
    current: CaseLevel = d.get("level")
    if to in (None, "next"):
        target = level_above(current)
    else:
        try:
            target = CaseLevel(str(to))
        except ValueError:
            raise ActionRefused(f"unknown level {to!r}") from None
    if target is None or LEVEL_ORDER.index(target) <= LEVEL_ORDER.index(current):
        raise ActionRefused(
            f"cannot escalate a case that is at {current.value} level to {to or 'next'}"
        )
    if LEVEL_ORDER.index(target) > LEVEL_ORDER.index(cap):
        raise ActionRefused(f"escalation stops at {cap.value} level")
    d.set("level", target)
    d.count("escalations")
    return {"from": current.value, "to": target.value}


def _close(d: Draft, at: datetime) -> None:
    d.stop("accept", at)
    d.stop("verify", at)
    d.cancel("dispatch", at)
    for key in d.handle_keys():
        d.stop(key, at)
    d.set("closed_at", at)
    handle = d.stage("handle")
    d.set("on_time", handle.on_time if handle is not None else None)
    d.start(StageName.FEEDBACK_RESULT, at)


# -- effects -------------------------------------------------------------------------------
def accept(d: Draft, s: Step) -> Detail:
    d.set("accepted_at", s.at)
    d.stop("accept", s.at)
    d.start(StageName.DISPATCH, s.at)
    return {}


def dispatch(d: Draft, s: Step) -> Detail:
    lead = s.department or s.params.get("lead") or s.rules.default_lead(d.base.category)
    if not isinstance(lead, str) or not lead:
        raise ActionRefused("dispatch needs a lead department (department)")
    co = [c for c in _codes(s.params.get("co"), "co") if c != lead]
    detail = _assign(d, s, lead, co)
    d.stop("dispatch", s.at)
    return detail


def redispatch(d: Draft, s: Step) -> Detail:
    lead = s.department or s.params.get("lead")
    if not isinstance(lead, str) or not lead:
        raise ActionRefused("redispatch needs the new lead department (department)")
    co = [c for c in _codes(s.params.get("co"), "co") if c != lead]
    previous = d.get("lead")
    _unassign(d, s.at)
    d.count("redispatches")
    return {"previous": previous, **_assign(d, s, lead, co)}


def sign(d: Draft, s: Step) -> Detail:
    lead = d.get("lead")
    if s.department and s.department != lead:
        raise ActionRefused(f"only the lead department {lead} signs for this case")
    d.stop("sign", s.at)
    return {}


def send_back(d: Draft, s: Step) -> Detail:
    dept, role = _acting(d, s)
    d.count("send_backs")
    if role == "co":
        d.cancel(handle_key(dept, "co"), s.at)
        d.set("co", [c for c in d.get("co") if c != dept])
        d.set("status", d.base.status)
        return {"department": dept, "role": "co"}
    _unassign(d, s.at)
    d.start(StageName.DISPATCH, s.at)
    return {"department": dept, "role": "lead"}


def report_back(d: Draft, s: Step) -> Detail:
    dept, role = _acting(d, s)
    key = handle_key(dept, role)
    stage = d.stage(key)
    if stage is None or stage.ended_at is not None:
        raise ActionRefused(f"department {dept} has already reported back")
    if role == "co":
        d.stop(key, s.at)
        d.set("status", d.base.status)
        return {"department": dept, "role": "co"}
    if d.base.status is not Status.HANDLING:
        raise ActionRefused(f"the lead department {dept} must sign for the case first")
    d.stop(key, s.at)
    d.set("resolved_at", s.at)
    d.set("extension_request", None)
    d.start(StageName.VERIFY, s.at)
    return {"department": dept, "role": "lead"}


def verify(d: Draft, s: Step) -> Detail:
    result = s.params.get("result")
    if result not in ("pass", "fail"):
        raise ActionRefused("verify needs result: pass or fail")
    d.stop("verify", s.at)
    if result == "pass":
        _close(d, s.at)
        return {"result": "pass"}
    d.set("status", Status.HANDLING)
    d.set("resolved_at", None)
    d.count("reworks")
    handle = d.stage("handle")
    if handle is not None:
        thresholds = d.book.get(handle.policy).thresholds
        d.put("handle", stages.resume(handle, d.calendar, thresholds, s.at))
    return {"result": "fail", "department": d.get("lead")}


def close(d: Draft, s: Step) -> Detail:
    _close(d, s.at)
    return {}


def reopen(d: Draft, s: Step) -> Detail:
    d.count("reopens")
    d.set("closed_at", None)
    d.set("resolved_at", None)
    d.set("on_time", None)
    d.cancel("feedback_result", s.at)
    _unassign(d, s.at)
    d.start(StageName.DISPATCH, s.at)
    return {}


def evaluate(d: Draft, s: Step) -> Detail:
    rating = s.params.get("rating")
    if rating is not None and (not isinstance(rating, int) or not 1 <= rating <= 5):
        raise ActionRefused("rating must be a whole number from 1 to 5")
    d.set("rating", rating)
    return {"rating": rating}


def request_extension(d: Draft, s: Step) -> Detail:
    if d.get("extension_request") is not None:
        raise ActionRefused("an extension request is already pending")
    dept, role = _acting(d, s)
    key = handle_key(dept, role)
    stage = d.stage(key)
    if stage is None or not stage.running:
        raise ActionRefused(f"department {dept} has no running handling stage to extend")
    by = _duration(d, s, "by", key)
    request = ExtensionRequest(
        stage=key, by_s=by.total_seconds(), department=dept, actor=s.actor, at=s.at, note=s.note
    )
    d.set("extension_request", request)
    return {"stage": key, "by_s": request.by_s}


def approve_extension(d: Draft, s: Step) -> Detail:
    request: ExtensionRequest | None = d.get("extension_request")
    if request is None:
        raise ActionRefused("no extension request is pending")
    stage = d.stage(request.stage)
    if stage is None or stage.ended_at is not None:
        raise ActionRefused(f"stage {request.stage} is no longer running")
    by = (
        _duration(d, s, "by", request.stage)
        if "by" in s.params
        else timedelta(seconds=request.by_s)
    )
    thresholds = d.book.get(stage.policy).thresholds
    extended = stages.extend(stage, d.calendar, thresholds, by, s.at)
    d.put(request.stage, extended)
    d.set("extension_request", None)
    d.count("extensions")
    deadline = extended.deadline.isoformat() if extended.deadline else None
    return {
        "stage": request.stage,
        "department": request.department,
        "by_s": by.total_seconds(),
        "deadline": deadline,
    }


def reject_extension(d: Draft, s: Step) -> Detail:
    request: ExtensionRequest | None = d.get("extension_request")
    if request is None:
        raise ActionRefused("no extension request is pending")
    d.set("extension_request", None)
    return {"stage": request.stage}


def park(d: Draft, s: Step) -> Detail:
    d.set("parked_from", d.base.status)
    d.count("parks")
    return {"paused": d.pause_all(s.at)}


def resume(d: Draft, s: Step) -> Detail:
    previous = d.base.parked_from or Status.ACCEPTED
    d.set("status", previous)
    d.set("parked_from", None)
    return {"resumed": d.resume_all(s.at)}


def escalate(d: Draft, s: Step) -> Detail:
    return escalate_to(d, s.params.get("to"))


def urge(d: Draft, s: Step) -> Detail:
    d.count("urges")
    return {"stage": s.params["stage"]} if isinstance(s.params.get("stage"), str) else {}


def supervise(d: Draft, s: Step) -> Detail:
    d.count("supervisions")
    return {}


def feedback(d: Draft, s: Step) -> Detail:
    for name in (StageName.FEEDBACK_FIRST, StageName.FEEDBACK_RESULT):
        stage = d.stage(name.value)
        if stage is not None and stage.ended_at is None and name in FEEDBACK_STAGES:
            d.stop(name.value, s.at)
            return {"stage": name.value}
    raise ActionRefused("no answer to the reporting grid is due")


EFFECTS: dict[str, Callable[[Draft, Step], Detail]] = {
    "accept": accept,
    "dispatch": dispatch,
    "redispatch": redispatch,
    "sign": sign,
    "send_back": send_back,
    "report_back": report_back,
    "verify": verify,
    "close": close,
    "reopen": reopen,
    "evaluate": evaluate,
    "request_extension": request_extension,
    "approve_extension": approve_extension,
    "reject_extension": reject_extension,
    "park": park,
    "resume": resume,
    "escalate": escalate,
    "urge": urge,
    "supervise": supervise,
    "feedback": feedback,
}
