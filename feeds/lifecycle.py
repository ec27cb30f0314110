"""Pure decisions of the closed loop: ``apply(incident, event, now) -> Outcome``.

No Redis, no clock of its own: the processor reads, calls and writes. Every decision is a
function of its arguments, so it is tested exhaustively without servers.

The walking skeleton knows the minimal loop report → accept → close; the lifecycle issue
extends the transition table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from feeds.contract import Action, Alarm, Report, SlaSignal, StatusUpdate
from feeds.incident import SEEN_EVENTS, Incident, Status, Transition

Event = Report | StatusUpdate | Action | Alarm | SlaSignal

#: action → {from status → to status}
TRANSITIONS: dict[str, dict[Status, Status]] = {
    "accept": {Status.REPORTED: Status.ACCEPTED},
    "close": {Status.REPORTED: Status.CLOSED, Status.ACCEPTED: Status.CLOSED},
}

#: External status words (status updates from other systems) → action.
STATUS_ACTIONS: dict[str, str] = {
    "accepted": "accept",
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


def apply(incident: Incident | None, event: Event, now: datetime) -> Outcome:
    """Apply one normalized event to the incident it concerns."""
    if incident is not None and event.event_id in incident.seen:
        return Outcome(incident=None, duplicate=True)
    if isinstance(event, Report):
        if incident is not None:
            return Outcome(incident=None, duplicate=True)
        return Outcome(incident=_open(event, now), op="new")
    if incident is None:
        return Outcome(incident=None, rejected=f"unknown incident {event.incident_id}")
    if isinstance(event, StatusUpdate):
        action = STATUS_ACTIONS.get(event.status)
        if action is None:
            return Outcome(incident=None, rejected=f"unknown status {event.status!r}")
        return _transition(
            incident,
            event,
            action=action,
            actor=event.source,
            at=event.at,
            note=event.note,
            now=now,
        )
    if isinstance(event, Action):
        return _transition(
            incident,
            event,
            action=event.action,
            actor=event.actor,
            at=event.at,
            note=event.note,
            now=now,
        )
    # Alarms and SLA signals change no state yet (their issues add the rules).
    return Outcome(incident=None)


def _open(report: Report, now: datetime) -> Incident:
    assert report.incident_id is not None, "intake assigns the incident id"
    first = Transition(
        at=report.reported_at,
        action="report",
        actor=report.source,
        from_status=None,
        to_status=Status.REPORTED,
        event_id=report.event_id,
    )
    return Incident(
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
        history=[first],
        seen=[report.event_id],
    )


def _transition(
    incident: Incident,
    event: Event,
    *,
    action: str,
    actor: str,
    at: datetime,
    note: str,
    now: datetime,
) -> Outcome:
    targets = TRANSITIONS.get(action)
    if targets is None:
        return Outcome(incident=None, rejected=f"unknown action {action!r}")
    target = targets.get(incident.status)
    if target is None:
        return Outcome(
            incident=None,
            rejected=f"cannot {action} an incident that is {incident.status.value}",
        )
    step = Transition(
        at=at,
        action=action,
        actor=actor,
        from_status=incident.status,
        to_status=target,
        note=note,
        event_id=event.event_id,
    )
    changes: dict[str, object] = {
        "status": target,
        "updated_at": now,
        "version": incident.version + 1,
        "history": [*incident.history, step],
        "seen": [*incident.seen, event.event_id][-SEEN_EVENTS:],
    }
    if target is Status.ACCEPTED:
        changes["accepted_at"] = at
    if target is Status.CLOSED:
        changes["closed_at"] = at
    updated = incident.model_copy(update=changes)
    return Outcome(incident=updated, op="close" if target is Status.CLOSED else "update")
