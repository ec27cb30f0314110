"""POST /api/v1/incidents/{id}/actions and the lifecycle read API, over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import redis
from fastapi.testclient import TestClient

from gridwall.access.roles import Principal, Role, TokenStore
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.processes.server import create_app
from gridwall.refdata.registry import Registry
from tests.helpers import FIXED_REPORTED_AT, drain, issue_admin, report


@pytest.fixture
def api(settings: Settings, seeded: Registry, r: redis.Redis) -> Iterator[TestClient]:
    app = create_app(settings, settings.redis_url or "", parts=("intake", "api"))
    with TestClient(app) as client:
        yield client


@pytest.fixture
def auth(r: redis.Redis, keys: Keys) -> dict[str, str]:
    return issue_admin(r, keys)


@pytest.fixture
def incident_id(api: TestClient, auth: dict[str, str], r: redis.Redis, settings: Settings) -> str:
    res = api.post(
        "/api/v1/events", json=report(1, category="01", reported_at=FIXED_REPORTED_AT), headers=auth
    )
    drain(r, settings)
    return str(res.json()["incident_ids"][0])


def post(api: TestClient, auth: dict[str, str], incident_id: str, **body: object) -> dict:
    res = api.post(f"/api/v1/incidents/{incident_id}/actions", json=body, headers=auth)
    return {"status": res.status_code, **res.json()}


def test_actions_move_a_case_through_its_loop(
    api: TestClient, auth: dict[str, str], r: redis.Redis, settings: Settings, incident_id: str
) -> None:
    steps = [
        {"action": "accept", "actor": "值班员A", "at": "2026-11-27T09:40:00+08:00"},
        {"action": "dispatch", "department": "cg", "co": ["sw"], "note": "请尽快处置",
         "at": "2026-11-27T09:50:00+08:00"},
        {"action": "sign", "department": "cg", "at": "2026-11-27T10:00:00+08:00"},
    ]  # fmt: skip
    for body in steps:
        got = post(api, auth, incident_id, **body)
        assert got["status"] == 202, got
        drain(r, settings)
    res = api.get(headers=auth, url=f"/api/v1/incidents/{incident_id}")
    assert res.status_code == 200
    data = res.json()
    assert data["status"] == "handling"
    assert (data["lead"], data["co"]) == ("cg", ["sw"])
    assert [h["action"] for h in data["history"]] == ["report", "accept", "dispatch", "sign"]
    assert data["history"][1]["actor"] == "值班员A"
    assert data["history"][1]["detail"]["principal"] == "tester"
    assert data["history"][2]["note"] == "请尽快处置"
    handle = data["sla"]["stages"]["handle"]
    assert handle["deadline"] == "2026-12-04T09:50:00+08:00"  # 5 working days
    assert handle["basis"] == "working"
    assert handle["limit_s"] == 5 * 7 * 3600
    assert set(handle["marks"]) == {"50", "75", "90", "100"}
    assert data["sla"]["stages"]["accept"]["outcome"] == "done"
    assert data["due_at"] == "2026-12-04T09:50:00+08:00"
    assert data["reporter"]["phone"] == "138****1234"


def test_an_illegal_action_is_answered_409_and_kept(
    api: TestClient, auth: dict[str, str], r: redis.Redis, keys: Keys, incident_id: str
) -> None:
    got = post(api, auth, incident_id, action="sign", department="cg")
    assert got["status"] == 409
    assert got["detail"] == "cannot sign an incident that is reported"
    got = post(api, auth, incident_id, action="verify", result="pass")
    assert got["status"] == 409
    assert r.xlen(keys.inbox) == 1  # only the report: nothing was enqueued
    letters = r.xrange(keys.deadletter)
    assert len(letters) == 2
    assert json.loads(letters[0][1][b"raw"])["action"] == "sign"
    assert b"cannot sign" in letters[0][1][b"reasons"]


def test_bad_requests_get_their_reasons(
    api: TestClient, auth: dict[str, str], incident_id: str
) -> None:
    url = f"/api/v1/incidents/{incident_id}/actions"
    assert post(api, auth, incident_id, action="teleport")["status"] == 422
    assert post(api, auth, incident_id, note="no action")["status"] == 422
    assert post(api, auth, incident_id, action="accept", at="yesterday")["status"] == 422
    assert post(api, auth, "320115-20261127-99999", action="accept")["status"] == 404
    assert post(api, auth, "nonsense", action="accept")["status"] == 404
    res = api.post(url, content=b"{", headers={**auth, "content-type": "application/json"})
    assert res.status_code == 400
    assert api.post(url, json={"action": "accept"}).status_code == 401
    too_big = {"action": "accept", "note": "x" * 2_000_000}
    assert api.post(url, json=too_big, headers=auth).status_code == 413


def test_roles_and_departments(
    api: TestClient,
    auth: dict[str, str],
    r: redis.Redis,
    keys: Keys,
    settings: Settings,
    incident_id: str,
) -> None:
    tokens = TokenStore(r, keys)
    wall = {"Authorization": "Bearer " + tokens.issue(Principal(name="w", role=Role.WALL))}
    dept = {
        "Authorization": "Bearer "
        + tokens.issue(Principal(name="cg1", role=Role.DEPARTMENT, department="cg"))
    }
    operator = {"Authorization": "Bearer " + tokens.issue(Principal(name="op", role=Role.OPERATOR))}
    assert post(api, wall, incident_id, action="accept")["status"] == 403
    assert post(api, operator, incident_id, action="accept")["status"] == 202
    drain(r, settings)
    assert post(api, operator, incident_id, action="dispatch", department="cg")["status"] == 202
    drain(r, settings)
    assert post(api, dept, incident_id, action="sign", department="sw")["status"] == 403
    got = post(api, dept, incident_id, action="sign")  # acts as its own department
    assert got["status"] == 202
    drain(r, settings)
    data = api.get(f"/api/v1/incidents/{incident_id}", headers=auth).json()
    assert data["history"][-1]["department"] == "cg"
    assert data["history"][-1]["actor"] == "cg1"


def test_a_repeated_request_id_changes_nothing(
    api: TestClient, auth: dict[str, str], r: redis.Redis, settings: Settings, incident_id: str
) -> None:
    first = post(api, auth, incident_id, action="accept", request_id="req-1")
    assert first["status"] == 202
    drain(r, settings)
    again = post(api, auth, incident_id, action="accept", request_id="req-1")
    assert again["status"] == 200
    assert again["duplicate"] is True
    drain(r, settings)
    history = api.get(f"/api/v1/incidents/{incident_id}", headers=auth).json()["history"]
    assert [h["action"] for h in history] == ["report", "accept"]


def test_the_processor_dead_letters_the_loser_of_a_race(
    api: TestClient, auth: dict[str, str], r: redis.Redis, keys: Keys, settings: Settings,
    incident_id: str,
) -> None:  # fmt: skip
    assert post(api, auth, incident_id, action="accept")["status"] == 202
    assert post(api, auth, incident_id, action="accept")["status"] == 202  # both checked early
    drain(r, settings)
    letters = r.xrange(keys.deadletter)
    assert len(letters) == 1
    assert b"cannot accept an incident that is accepted" in letters[0][1][b"reasons"]


def test_the_export_streams_every_incident_with_history_and_deadlines(
    api: TestClient, auth: dict[str, str], r: redis.Redis, settings: Settings
) -> None:
    for n, day in enumerate(["2026-11-20", "2026-11-24", "2026-11-25", "2026-11-27"]):
        api.post(
            "/api/v1/events",
            json=report(n, reported_at=f"{day}T09:30:00+08:00"),
            headers=auth,
        )
    drain(r, settings)
    res = api.get(
        headers=auth, url="/api/v1/incidents", params={"from": "2026-11-24", "to": "2026-11-25"}
    )
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in res.text.splitlines()]
    assert [line["reported_at"][:10] for line in lines] == ["2026-11-24", "2026-11-25"]
    assert lines[0]["history"][0]["action"] == "report"
    # Category 12 (safety hazards) is timed by the urgent policy: accept within 10 minutes.
    assert lines[0]["policy"] == "urgent"
    assert lines[0]["sla"]["stages"]["accept"]["deadline"] == "2026-11-24T09:40:00+08:00"
    assert "张小三" not in res.text
    assert api.get("/api/v1/incidents", params={"from": "soon"}, headers=auth).status_code == 422


def test_policies_and_metrics_are_served(
    api: TestClient, auth: dict[str, str], r: redis.Redis, settings: Settings, incident_id: str
) -> None:
    policies = api.get("/api/v1/sla/policies", headers=auth).json()
    assert policies["thresholds"] == [50, 75, 90]
    assert policies["policies"]["normal"]["stages"]["handle"]["limit_s"] == 126000
    assert policies["calendar"]["working_hours"] == ["08:30-12:00", "14:00-17:30"]
    assert 2027 in policies["calendar"]["years_without_data"]
    post(api, auth, incident_id, action="accept", at="2026-11-27T09:40:00+08:00")
    drain(r, settings)
    for dimension in ("departments", "streets", "grids", "categories", "periods", "stages"):
        res = api.get(
            headers=auth, url=f"/api/v1/metrics/{dimension}", params={"from": "2026-11-01"}
        )
        assert res.status_code == 200, res.text
        assert res.json()["min_sample"] == 10
    streets = api.get(
        "/api/v1/metrics/streets", params={"from": "2026-11-01"}, headers=auth
    ).json()["rows"]
    assert sum(row["received"] for row in streets) == 1
    assert streets[0]["name"].endswith(("街道", "镇"))
    assert streets[0]["response_median_s"] == 10 * 60
    assert api.get("/api/v1/metrics/planets", headers=auth).status_code == 404
    assert api.get("/api/v1/metrics/streets", params={"from": "x"}, headers=auth).status_code == 422


def test_health_warns_about_the_calendar_and_a_missing_clock(
    api: TestClient, auth: dict[str, str]
) -> None:
    body = api.get("/api/v1/health", headers=auth).json()
    assert "no SLA clock is running" in body["warnings"]
    assert any("2027" in warning for warning in body["warnings"])


def test_the_readme_example_dispatch_is_accepted(
    api: TestClient, auth: dict[str, str], r: redis.Redis, settings: Settings, incident_id: str
) -> None:
    from pathlib import Path  # noqa: PLC0415

    example = json.loads(
        (Path(__file__).parents[2] / "docs/examples/dispatch.json").read_text(encoding="utf-8")
    )
    assert post(api, auth, incident_id, action="accept")["status"] == 202
    drain(r, settings)
    assert post(api, auth, incident_id, **example)["status"] == 202
    drain(r, settings)
    data = api.get(f"/api/v1/incidents/{incident_id}", headers=auth).json()
    assert (data["status"], data["lead"], data["co"]) == ("dispatched", "cg", ["sw"])
