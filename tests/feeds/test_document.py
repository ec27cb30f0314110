"""The incident document (msgspec): what its readers rely on from the pydantic model it was."""

from __future__ import annotations

import json
from datetime import timedelta

import msgspec
import pytest

from gridwall.contract.events import PersonalKind, Reporter, personal_paths
from gridwall.engine.cases.lifecycle import apply
from gridwall.engine.incident import Incident, Stage, Status
from tests.feeds.test_lifecycle import T0, report, status


def _closed() -> Incident:
    opened = apply(None, report(reporter=Reporter(name="张三", phone="13812341234")), T0).incident
    assert opened is not None
    closed = apply(opened, status("closed", "s1", T0 + timedelta(minutes=5)), T0).incident
    assert closed is not None
    return closed


def test_a_document_survives_storage_unchanged() -> None:
    incident = _closed()
    stored = incident.model_dump_json()
    assert Incident.model_validate_json(stored) == incident
    assert Incident.model_validate_json(incident.to_json()) == incident
    assert Incident.model_validate(incident.model_dump(mode="json")) == incident


def test_stored_documents_leave_default_values_out() -> None:
    data = json.loads(_closed().to_json())
    assert data == json.loads(_closed().model_dump_json(exclude_defaults=True))
    assert "rating" not in data
    assert "counters" not in data  # all zero
    assert "lead" not in data
    full = json.loads(_closed().model_dump_json())
    assert full["rating"] is None
    assert full["co"] == []


def test_model_dump_has_every_field_like_pydantic() -> None:
    incident = _closed()
    dumped = incident.model_dump(mode="json", exclude={"seen"})
    assert "seen" not in dumped
    assert dumped["lead"] is None
    assert dumped["status"] == "closed"
    assert dumped["reported_at"] == T0.isoformat()
    assert dumped["reporter"] == {
        "name": "张三",
        "phone": "13812341234",
        "id_number": None,
        "address": None,
    }
    assert set(dumped["stages"]["accept"]["marks"]) == {"50", "75", "90", "100"}
    python = incident.model_dump()
    assert python["status"] is Status.CLOSED
    assert python["reported_at"] == T0


def test_documents_are_immutable_and_copied_with_changes() -> None:
    incident = _closed()
    with pytest.raises(AttributeError):
        incident.status = Status.REPORTED  # type: ignore[misc]
    copy = incident.model_copy(update={"rating": 5})
    assert copy.rating == 5
    assert incident.rating is None
    assert copy.stages is incident.stages  # unchanged parts are shared


def test_decoding_validates_like_the_model_did() -> None:
    stored = json.loads(_closed().to_json())
    with pytest.raises(msgspec.ValidationError, match="unknown"):
        Incident.model_validate_json(json.dumps({**stored, "surprise": 1}))
    naive = {**stored, "reported_at": "2026-11-27T09:00:00"}
    with pytest.raises(msgspec.ValidationError, match="timezone"):
        Incident.model_validate_json(json.dumps(naive))
    with pytest.raises(msgspec.ValidationError):
        Incident.model_validate_json(json.dumps({**stored, "status": "lost"}))
    with pytest.raises(ValueError, match="pattern"):  # the contract's Reporter still validates
        Incident.model_validate_json(json.dumps({**stored, "reporter": {"phone": "x"}}))
    assert isinstance(msgspec.ValidationError("x"), ValueError)


def test_personal_fields_are_found_in_documents_and_events() -> None:
    paths = personal_paths(Incident)
    assert paths["title"] is PersonalKind.TEXT
    assert paths["description"] is PersonalKind.NOTE
    assert paths["reporter.phone"] is PersonalKind.PHONE
    assert paths["history.note"] is PersonalKind.NOTE
    assert not personal_paths(Stage)
