from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from gridwall.contract.events import Action, AreaPath, Report, StatusUpdate, Urgency
from gridwall.engine.cases.lifecycle import apply
from gridwall.engine.incident import Status

TZ = timezone(timedelta(hours=8))
T0 = datetime(2026, 11, 27, 9, 0, tzinfo=TZ)


def report(**kw: object) -> Report:
    data: dict[str, object] = {
        "event_id": "r1",
        "source": "gridapp",
        "source_event_id": "e1",
        "received_at": T0 + timedelta(minutes=1),
        "incident_id": "320115-20261127-00001",
        "category": "01",
        "urgency": Urgency.NORMAL,
        "area": AreaPath(county="320115", grid="320115001001001"),
        "reported_at": T0,
        "title": "暴露垃圾",
    }
    data.update(kw)
    return Report.model_validate(data)


def status(value: str, event_id: str, at: datetime) -> StatusUpdate:
    return StatusUpdate(
        event_id=event_id,
        source="hotline",
        source_event_id=event_id,
        received_at=at,
        incident_id="320115-20261127-00001",
        status=value,
        at=at,
    )


def test_a_report_opens_an_incident_at_its_reported_time() -> None:
    out = apply(None, report(), T0 + timedelta(minutes=2))
    assert out.op == "new"
    incident = out.incident
    assert incident is not None
    assert incident.status is Status.REPORTED
    assert incident.reported_at == T0
    assert incident.history[0].action == "report"
    assert incident.is_open


def test_accept_then_close_records_history_and_times() -> None:
    opened = apply(None, report(), T0).incident
    accepted = apply(opened, status("accepted", "s1", T0 + timedelta(minutes=5)), T0).incident
    assert accepted is not None
    assert accepted.status is Status.ACCEPTED
    assert accepted.accepted_at == T0 + timedelta(minutes=5)
    out = apply(accepted, status("closed", "s2", T0 + timedelta(hours=3)), T0)
    assert out.op == "close"
    closed = out.incident
    assert closed is not None
    assert not closed.is_open
    assert [h.to_status for h in closed.history] == [
        Status.REPORTED,
        Status.ACCEPTED,
        Status.CLOSED,
    ]
    assert closed.version == 3


def test_the_same_event_twice_is_applied_once() -> None:
    opened = apply(None, report(), T0).incident
    event = status("accepted", "s1", T0)
    once = apply(opened, event, T0).incident
    twice = apply(once, event, T0)
    assert twice.duplicate
    assert twice.incident is None


def test_a_second_report_for_an_existing_incident_changes_nothing() -> None:
    opened = apply(None, report(), T0).incident
    assert apply(opened, report(event_id="r2"), T0).duplicate


@pytest.mark.parametrize(
    ("first", "then", "reason"),
    [
        ("closed", "accepted", "cannot accept an incident that is closed"),
        ("closed", "closed", "cannot close an incident that is closed"),
        ("accepted", "teleported", "unknown status 'teleported'"),
    ],
)
def test_illegal_transitions_are_rejected_with_a_reason(first: str, then: str, reason: str) -> None:
    opened = apply(None, report(), T0).incident
    moved = apply(opened, status(first, "s1", T0), T0).incident
    out = apply(moved, status(then, "s2", T0), T0)
    assert out.rejected == reason
    assert out.incident is None


def test_events_for_unknown_incidents_are_rejected() -> None:
    out = apply(None, status("closed", "s1", T0), T0)
    assert out.rejected
    assert "unknown incident" in out.rejected


def test_actions_from_people_use_the_same_table() -> None:
    opened = apply(None, report(), T0).incident
    action = Action(
        event_id="a1",
        source="wall",
        source_event_id="a1",
        received_at=T0,
        incident_id=opened.id if opened else None,
        action="accept",
        actor="op1",
        at=T0,
    )
    out = apply(opened, action, T0)
    assert out.incident is not None
    assert out.incident.history[-1].actor == "op1"
