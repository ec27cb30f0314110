"""Pure decisions of the closed loop: ``apply(incident, event, now, rules) -> Outcome``.

No Redis, no clock of its own: the processor reads, calls and writes. Every decision is a
function of its arguments (the incident, the event, the processing time, the SLA policies and
the reference data), so it is tested exhaustively without servers.

Events are applied by type (``HANDLERS``): a report opens an incident, a status update from
another system and a person's action move it along ``TRANSITIONS``, an SLA signal marks a stage
warned or breached and escalates per policy. An illegal transition is rejected with a reason
(the API answers 409 with it, the processor dead-letters a race loser with it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gridwall.contract.events import Action, Alarm, Report, SlaSignal, StatusUpdate
from gridwall.contract.refusal import ActionRefused
from gridwall.engine.cases.actions import EFFECTS
from gridwall.engine.cases.draft import Draft
from gridwall.engine.cases.rules import Rules, Step, default_rules
from gridwall.engine.cases.signals import apply_signal
from gridwall.engine.incident import (
    OPEN_STATUSES,
    SEEN_EVENTS,
    Incident,
    StageName,
    Status,
    Transition,
)

Event = Report | StatusUpdate | Action | Alarm | SlaSignal

_OPEN = frozenset(OPEN_STATUSES)
_WORKING = frozenset({Status.ACCEPTED, Status.DISPATCHED, Status.HANDLING, Status.REPORTED_BACK})
_ASSIGNED = frozenset({Status.DISPATCHED, Status.HANDLING})
_FINISHED = frozenset({Status.CLOSED, Status.EVALUATED})

#: action → (statuses it is legal in, the status it leads to; None keeps the status).
#: ``verify`` leads to ``closed`` (pass) or ``handling`` (fail, a rework); ``send_back`` and
#: ``report_back`` by a co-handling department keep the status; ``resume`` returns to the
#: status the case was parked in. The effects are in ``gridwall/engine/cases/actions.py``.
TRANSITIONS: dict[str, tuple[frozenset[Status], Status | None]] = {
    "accept": (frozenset({Status.REPORTED}), Status.ACCEPTED),
    "dispatch": (frozenset({Status.ACCEPTED}), Status.DISPATCHED),
    "redispatch": (_ASSIGNED, Status.DISPATCHED),
    "sign": (frozenset({Status.DISPATCHED}), Status.HANDLING),
    "send_back": (_ASSIGNED, Status.ACCEPTED),
    "report_back": (frozenset({*_ASSIGNED, Status.REPORTED_BACK}), Status.REPORTED_BACK),
    "verify": (frozenset({Status.REPORTED_BACK}), Status.CLOSED),
    "close": (frozenset({Status.REPORTED, Status.ACCEPTED, Status.REPORTED_BACK}), Status.CLOSED),
    "reopen": (_FINISHED, Status.ACCEPTED),
    "evaluate": (frozenset({Status.CLOSED}), Status.EVALUATED),
    "request_extension": (_ASSIGNED, None),
    "approve_extension": (_ASSIGNED, None),
    "reject_extension": (_ASSIGNED, None),
    "park": (_WORKING, Status.PARKED),
    "resume": (frozenset({Status.PARKED}), None),
    "escalate": (_OPEN, None),
    "urge": (_OPEN, None),
    "supervise": (_OPEN, None),
    "feedback": (frozenset(Status), None),
}

ACTIONS = tuple(TRANSITIONS)

#: External status words (status updates from other systems) → action.
STATUS_ACTIONS: dict[str, str] = {
    "accepted": "accept",
    "signed": "sign",
    "handling": "sign",
    "reported_back": "report_back",
    "closed": "close",
}


@dataclass(frozen=True)
class Outcome:
    """What applying one event decided.

    ``incident`` is the new state (None when nothing exists or changed), ``op`` names the change
    for the changes stream (``new``, ``update``, ``close``) and ``rejected`` says why an event
    could not be applied (the processor dead-letters it with that reason).
    """

    incident: Incident | None
    op: str | None = None
    rejected: str | None = None
    duplicate: bool = False


Handler = Callable[[Incident | None, Any, datetime, Rules], Outcome]


def apply(
    incident: Incident | None, event: Event, now: datetime, rules: Rules | None = None
) -> Outcome:
    """Apply one normalized event to the incident it concerns."""
    if incident is not None and event.event_id in incident.seen:
        return Outcome(incident=None, duplicate=True)
    handler = HANDLERS.get(type(event))
    if handler is None:
        return Outcome(incident=None)
    return handler(incident, event, now, rules or default_rules())


def check(incident: Incident, event: Action, now: datetime, rules: Rules) -> str | None:
    """Why ``event`` cannot be applied to ``incident`` now (None when it can)."""
    return apply(incident, event, now, rules).rejected


def _report(incident: Incident | None, report: Report, now: datetime, rules: Rules) -> Outcome:
    if incident is not None:
        return Outcome(incident=None, duplicate=True)
    assert report.incident_id is not None, "intake assigns the incident id"
    book = rules.book
    key = book.policy_key(report.category, rules.category_sla(report.category), report.urgency)
    opened = Incident(
        id=report.incident_id,
        county=report.area.county,
        source=report.source,
        source_event_id=report.source_event_id,
        category=report.category,
        urgency=report.urgency,
        area=report.area,
        location=report.location,
        title=report.title,
        description=report.description,
        reporter=report.reporter,
        photos=report.photos,
        status=Status.REPORTED,
        reported_at=report.reported_at,
        received_at=report.received_at,
        updated_at=now,
        policy=key,
        level=book.initial_level,
        history=[
            Transition(
                at=report.reported_at,
                action="report",
                actor=report.source,
                from_status=None,
                to_status=Status.REPORTED,
                event_id=report.event_id,
            )
        ],
        seen=[report.event_id],
    )
    draft = Draft(opened, rules.book)
    draft.start(StageName.ACCEPT, report.reported_at)
    draft.start(StageName.FEEDBACK_FIRST, report.reported_at)
    return Outcome(incident=draft.build(), op="new")


def _status(incident: Incident | None, event: StatusUpdate, now: datetime, rules: Rules) -> Outcome:
    action = STATUS_ACTIONS.get(event.status)
    if incident is None or action is None:
        reason = f"unknown status {event.status!r}" if incident else None
        return _unknown(event, reason)
    step = Step(action, event.source, event.at, None, event.note, {}, event.event_id, rules)
    return transition(incident, step, now)


def _action(incident: Incident | None, event: Action, now: datetime, rules: Rules) -> Outcome:
    if incident is None:
        return _unknown(event)
    step = Step(
        event.action,
        event.actor,
        event.at,
        event.department,
        event.note,
        event.params,
        event.event_id,
        rules,
    )
    return transition(incident, step, now)


def _unknown(event: Event, reason: str | None = None) -> Outcome:
    return Outcome(incident=None, rejected=reason or f"unknown incident {event.incident_id}")


def _signal(incident: Incident | None, event: SlaSignal, now: datetime, rules: Rules) -> Outcome:
    if incident is None:
        return _unknown(event)
    draft = Draft(incident, rules.book)
    if not apply_signal(draft, event):
        return Outcome(incident=None)  # stale (the stage moved on) or already applied
    return Outcome(incident=_finish(draft, event.event_id, now), op="update")


def transition(incident: Incident, step: Step, now: datetime) -> Outcome:
    """Move ``incident`` by one action, or reject it with a reason."""
    spec = TRANSITIONS.get(step.action)
    if spec is None:
        return Outcome(incident=None, rejected=f"unknown action {step.action!r}")
    legal, target = spec
    current = incident.status
    if current not in legal:
        return Outcome(
            incident=None, rejected=f"cannot {step.action} an incident that is {current.value}"
        )
    draft = Draft(incident, step.rules.book)
    if target is not None:
        draft.set("status", target)
    try:
        detail = EFFECTS[step.action](draft, step)
    except ActionRefused as refused:
        return Outcome(incident=None, rejected=str(refused))
    new_status = draft.get("status")
    principal = step.params.get("principal")
    if isinstance(principal, str):
        detail = {**detail, "principal": principal}
    draft.history(
        Transition(
            at=step.at,
            action=step.action,
            actor=step.actor,
            from_status=current,
            to_status=new_status,
            note=step.note,
            event_id=step.event_id,
            department=step.department,
            detail=detail,
        )
    )
    updated = _finish(draft, step.event_id, now)
    closing = new_status in _FINISHED and current not in _FINISHED
    return Outcome(incident=updated, op="close" if closing else "update")


def _finish(draft: Draft, event_id: str, now: datetime) -> Incident:
    draft.set("updated_at", now)
    draft.set("version", draft.base.version + 1)
    draft.set("seen", [*draft.base.seen, event_id][-SEEN_EVENTS:])
    return draft.build()


HANDLERS: dict[type, Handler] = {
    Report: _report,
    StatusUpdate: _status,
    Action: _action,
    SlaSignal: _signal,
    # Alarm: not applied here; the processor's alarm step (gridwall.engine.alarms.stage)
    # handles alarms and appends a Report for each one a rule says opens an incident.
}
