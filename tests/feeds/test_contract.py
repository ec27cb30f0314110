from __future__ import annotations

import pytest
from pydantic import ValidationError

from gridwall.contract.events import (
    SCHEMA_VERSION,
    EventIn,
    PersonalKind,
    Report,
    dedup_field,
    is_incident_id,
    parse_inbox_event,
    personal_paths,
)
from gridwall.engine.incident import Incident

GOOD = {
    "source": "gridapp",
    "source_event_id": "e-1",
    "category": "12",
    "location": {"lon": 118.8, "lat": 31.93},
    "reported_at": "2026-11-27T09:30:00+08:00",
    "title": "井盖缺失",
}


def test_a_minimal_report_is_valid() -> None:
    event = EventIn.model_validate(GOOD)
    assert event.kind == "report"
    assert event.urgency == "normal"
    assert event.location is not None
    assert event.location.crs == "wgs84"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"reported_at": "2026-11-27T09:30:00"}, "reported_at"),  # no offset
        ({"location": {"lon": 200, "lat": 31}}, "location.lon"),
        ({"location": {"lon": 118, "lat": 31, "crs": "utm"}}, "location.crs"),
        ({"source": "Grid App"}, "source"),
        ({"urgency": "panic"}, "urgency"),
        ({"surprise": 1}, "surprise"),
        ({"reporter": {"phone": "call me"}}, "reporter.phone"),
    ],
)
def test_bad_fields_are_named(change: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        EventIn.model_validate({**GOOD, **change})
    fields = {".".join(str(p) for p in e["loc"]) for e in info.value.errors()}
    assert field in fields


def test_a_report_needs_a_place() -> None:
    data = {k: v for k, v in GOOD.items() if k != "location"}
    with pytest.raises(ValidationError, match="grid or a location"):
        EventIn.model_validate(data)


def test_a_status_update_needs_its_target() -> None:
    with pytest.raises(ValidationError, match="status and ref or incident_id"):
        EventIn.model_validate({**GOOD, "kind": "status", "status": "closed"})
    event = EventIn.model_validate({**GOOD, "kind": "status", "status": "closed", "ref": "e-0"})
    assert event.ref == "e-0"


def test_personal_fields_are_marked_in_the_schema() -> None:
    assert personal_paths(EventIn) == {
        "reporter.name": PersonalKind.NAME,
        "reporter.phone": PersonalKind.PHONE,
        "reporter.id_number": PersonalKind.ID_NUMBER,
        "reporter.address": PersonalKind.ADDRESS,
        "title": PersonalKind.TEXT,
        "description": PersonalKind.NOTE,
        "note": PersonalKind.NOTE,
    }
    assert personal_paths(Incident)["reporter.phone"] is PersonalKind.PHONE
    assert personal_paths(Incident)["history.note"] is PersonalKind.NOTE
    schema = EventIn.model_json_schema()
    reporter = schema["$defs"]["Reporter"]["properties"]
    assert reporter["phone"]["x-personal"] == "phone"


def test_inbox_events_round_trip_with_their_version() -> None:
    report = Report(
        event_id="a" * 32,
        source="s",
        source_event_id="1",
        received_at="2026-11-27T10:00:00+08:00",
        category="01",
        urgency="normal",
        area={"county": "320115", "grid": "320115001001001"},
        reported_at="2026-11-27T09:00:00+08:00",
        title="t",
    )
    again = parse_inbox_event(report.model_dump_json())
    assert again == report
    assert again.v == SCHEMA_VERSION


def test_a_newer_schema_version_is_refused() -> None:
    data = (
        '{"type": "status", "v": 99, "event_id": "x", "source": "s", "source_event_id": "1",'
        '"received_at": "2026-11-27T10:00:00+08:00", "status": "closed",'
        '"at": "2026-11-27T10:00:00+08:00"}'
    )
    with pytest.raises(ValidationError, match="newer than this reader"):
        parse_inbox_event(data)


def test_ids_and_keys() -> None:
    assert is_incident_id("320115-20261127-00042")
    assert not is_incident_id("../../etc/passwd")
    assert dedup_field("gridapp", "e-1") == "gridapp|e-1"
