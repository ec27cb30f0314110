"""Roles, rights, policies, token rotation and the department scope of a case."""

from __future__ import annotations

import msgspec
import redis

from gridwall.access.roles import (
    Principal,
    Right,
    Role,
    TokenStore,
    can_read_incident,
    has_right,
    hash_token,
    incident_departments,
)
from gridwall.engine.incident import Incident
from gridwall.platform.keys import Keys
from gridwall.web.policy import Policy
from tests.feeds.test_lifecycle import report as report_event


class DispatchedIncident(Incident):
    """An incident as the lifecycle records it: lead and co-handling departments."""

    lead_department: str | None = None
    co_departments: list[str] = msgspec.field(default_factory=list)


def _incident(**departments: object) -> DispatchedIncident:
    from gridwall.engine.cases.lifecycle import apply  # noqa: PLC0415

    event = report_event()
    opened = apply(None, event, event.received_at).incident
    assert opened is not None
    return DispatchedIncident(**{**opened.model_dump(), **departments})


def test_a_case_belongs_to_its_lead_and_co_handling_departments() -> None:
    case = _incident(lead_department="D-ROADS", co_departments=["D-WATER"])
    assert incident_departments(case) == {"D-ROADS", "D-WATER"}
    roads = Principal(name="r", role=Role.DEPARTMENT, department="D-ROADS")
    water = Principal(name="w", role=Role.DEPARTMENT, department="D-WATER")
    parks = Principal(name="p", role=Role.DEPARTMENT, department="D-PARKS")
    assert can_read_incident(roads, case)
    assert can_read_incident(water, case)
    assert not can_read_incident(parks, case)
    assert not can_read_incident(Principal(name="x", role=Role.DEPARTMENT), case)
    undispatched = _incident()
    assert incident_departments(undispatched) == frozenset()
    assert not can_read_incident(roads, undispatched)
    for role in (Role.OPERATOR, Role.LEADER, Role.ADMIN):
        assert can_read_incident(Principal(name="o", role=role), undispatched)
    for role in (Role.WALL, Role.SOURCE):
        assert not can_read_incident(Principal(name="o", role=role), case)


def test_rights_about_personal_data() -> None:
    admin = Principal(name="a", role=Role.ADMIN)
    assert has_right(admin, Right.RAW_DEADLETTERS)
    assert has_right(Principal(name="o", role=Role.OPERATOR), Right.UNMASK)
    assert not has_right(Principal(name="l", role=Role.LEADER), Right.UNMASK)
    assert not has_right(Principal(name="w", role=Role.WALL, layout="desk"), Right.UNMASK)
    assert not has_right(None, Right.UNMASK)


def test_walls_never_write_whatever_a_policy_says() -> None:
    everyone = Policy(roles=frozenset(Role))
    assert everyone.allows(Role.WALL, "GET")
    assert not everyone.allows(Role.WALL, "POST")
    assert everyone.allows(Role.OPERATOR, "POST")
    renders = Policy(roles=frozenset(Role), writes=False)
    assert renders.allows(Role.WALL, "POST")
    both = Policy(roles=frozenset({Role.ADMIN, Role.OPERATOR})).combine(
        Policy(roles=frozenset({Role.ADMIN}))
    )
    assert both.roles == {Role.ADMIN}
    assert Policy(public=True).allows(Role.WALL, "POST")


def test_tokens_rotate_without_downtime(r: redis.Redis, keys: Keys) -> None:
    store = TokenStore(r, keys)
    feed = Principal(name="hotline", role=Role.SOURCE, source="hotline12345")
    old = store.issue(feed, label="2025")
    new = store.issue(feed, label="2026")
    assert store.lookup(old) == feed
    assert store.lookup(new) == feed  # two valid tokens during the changeover
    records = store.records("hotline")
    assert {rec.label for rec in records.values()} == {"2025", "2026"}
    assert hash_token(old) in records  # stored hashed: the token itself is nowhere
    assert all(old.encode() not in v for v in r.hgetall(keys.api_tokens).values())
    old_id = records[hash_token(old)].id
    assert store.revoke_id("hotline", old_id)
    assert store.lookup(old) is None
    assert store.lookup(new) == feed
    assert not store.revoke_id("hotline", old_id)
    assert store.revoke_all("hotline") == 1
    assert store.lookup(new) is None


def test_a_skeleton_token_record_still_reads(r: redis.Redis, keys: Keys) -> None:
    principal = Principal(name="demo-admin", role=Role.ADMIN)
    r.hset(keys.api_tokens, hash_token("old-style"), principal.model_dump_json())
    assert TokenStore(r, keys).lookup("old-style") == principal


def test_exports_keep_personal_fields_only_by_right() -> None:
    from dashboard.api.incidents import export_incident  # noqa: PLC0415

    case = _incident(reporter={"name": "张小三", "phone": "13812341234"})
    admin = Principal(name="a", role=Role.ADMIN)
    operator = Principal(name="o", role=Role.OPERATOR)
    assert export_incident(case, admin)["reporter"]["phone"] == "138****1234"
    assert export_incident(case, admin, personal=True)["reporter"]["phone"] == "13812341234"
    assert export_incident(case, operator, personal=True)["reporter"]["phone"] == "138****1234"
