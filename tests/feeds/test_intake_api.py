from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import redis
from fastapi.testclient import TestClient

from gridwall.contract.geo import from_wgs84
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.processes.server import create_app
from gridwall.refdata.registry import Registry
from tests.helpers import drain, issue_admin, report


@pytest.fixture
def api(settings: Settings, seeded: Registry, r: redis.Redis) -> Iterator[TestClient]:
    app = create_app(settings, settings.redis_url or "", parts=("intake", "api"))
    with TestClient(app) as client:
        yield client


@pytest.fixture
def auth(r: redis.Redis, keys: Keys) -> dict[str, str]:
    return issue_admin(r, keys)


def deadletters(r: redis.Redis, keys: Keys) -> list[dict[bytes, bytes]]:
    return [fields for _id, fields in r.xrange(keys.deadletter)]


def test_a_report_is_accepted_and_processed(
    api: TestClient, auth: dict[str, str], r: redis.Redis, keys: Keys, settings: Settings
) -> None:
    res = api.post("/api/v1/events", json=report(), headers=auth)
    assert res.status_code == 202, res.text
    incident_id = res.json()["incident_ids"][0]
    assert incident_id.startswith("320115-")
    assert drain(r, settings) == 1
    got = api.get(f"/api/v1/incidents/{incident_id}", headers=auth).json()
    assert got["status"] == "reported"
    assert got["area"]["grid"] is not None  # assigned from the point
    assert got["area"]["street"] == got["area"]["grid"][:9] + "000"
    assert got["reporter"] == {
        "name": "张*三",
        "phone": "138****1234",
        "id_number": None,
        "address": None,
    }


def test_an_array_is_all_or_nothing(
    api: TestClient, auth: dict[str, str], r: redis.Redis, keys: Keys
) -> None:
    bad = report(2, location={"lon": 118.8, "lat": 95})
    res = api.post("/api/v1/events", json=[report(1), bad], headers=auth)
    assert res.status_code == 422
    body = res.json()
    assert {
        "field": "[1].location.lat",
        "reason": "Input should be less than or equal to 90",
    } in body["errors"]
    assert r.xlen(keys.inbox) == 0
    letters = deadletters(r, keys)
    assert len(letters) == 1
    assert json.loads(letters[0][b"raw"])[1]["location"]["lat"] == 95
    assert b"[1].location.lat" in letters[0][b"reasons"]
    assert body["deadletter"]


def test_a_duplicate_answers_200_with_the_same_id_and_changes_nothing(
    api: TestClient, auth: dict[str, str], r: redis.Redis, keys: Keys
) -> None:
    first = api.post("/api/v1/events", json=report(), headers=auth)
    again = api.post("/api/v1/events", json=report(title="changed"), headers=auth)
    assert again.status_code == 200
    assert again.json()["incident_ids"] == first.json()["incident_ids"]
    assert again.json()["results"][0]["duplicate"] is True
    assert r.xlen(keys.inbox) == 1


def test_a_batch_gets_one_id_per_event(api: TestClient, auth: dict[str, str]) -> None:
    res = api.post("/api/v1/events", json=[report(i) for i in range(5)], headers=auth)
    assert res.status_code == 202
    ids = res.json()["incident_ids"]
    assert len(set(ids)) == 5
    assert sorted(ids) == ids


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b"{not json", {"Content-Type": "application/json"}, 400),
        (b"<xml/>", {"Content-Type": "application/xml"}, 415),
        (b"[]", {"Content-Type": "application/json"}, 422),
        (b'{"source": "x"}', {"Content-Type": "application/json"}, 422),
    ],
)
def test_bad_bodies_are_refused_and_kept(
    api: TestClient,
    auth: dict[str, str],
    r: redis.Redis,
    keys: Keys,
    body: bytes,
    headers: dict[str, str],
    status: int,
) -> None:
    res = api.post("/api/v1/events", content=body, headers={**auth, **headers})
    assert res.status_code == status
    assert res.json()["errors"]
    letters = deadletters(r, keys)
    assert letters[-1][b"raw"] == body


def test_an_oversized_body_is_refused_without_reading_it_all(
    api: TestClient, auth: dict[str, str], r: redis.Redis, keys: Keys, settings: Settings
) -> None:
    big = b"[" + b" " * settings.http.max_body_bytes + b"]"
    res = api.post(
        "/api/v1/events", content=big, headers={**auth, "Content-Type": "application/json"}
    )
    assert res.status_code == 413
    assert deadletters(r, keys)[-1][b"reasons"].startswith(b'[{"field": "body"')


def test_unknown_category_and_grid_are_field_errors(api: TestClient, auth: dict[str, str]) -> None:
    res = api.post(
        "/api/v1/events", json=report(category="99", grid="320115999999999"), headers=auth
    )
    fields = {e["field"] for e in res.json()["errors"]}
    assert fields == {"category", "grid"}


def test_a_location_outside_the_county_is_refused(api: TestClient, auth: dict[str, str]) -> None:
    res = api.post(
        "/api/v1/events", json=report(location={"lon": 116.4, "lat": 39.9}), headers=auth
    )
    assert res.status_code == 422
    assert res.json()["errors"][0]["field"] == "location"


def test_gcj02_input_is_stored_as_wgs84(
    api: TestClient, auth: dict[str, str], r: redis.Redis, settings: Settings
) -> None:
    lon, lat = from_wgs84(118.8, 31.93, "gcj02")
    res = api.post(
        "/api/v1/events",
        json=report(location={"lon": lon, "lat": lat, "crs": "gcj02"}),
        headers=auth,
    )
    drain(r, settings)
    got = api.get(f"/api/v1/incidents/{res.json()['incident_ids'][0]}", headers=auth).json()
    assert got["location"]["lon"] == pytest.approx(118.8, abs=1e-6)
    assert got["location"]["lat"] == pytest.approx(31.93, abs=1e-6)


def test_status_updates_follow_the_report_by_reference(
    api: TestClient, auth: dict[str, str], r: redis.Redis, settings: Settings
) -> None:
    res = api.post("/api/v1/events", json=report(), headers=auth)
    incident_id = res.json()["incident_ids"][0]
    update = {
        "source": "gridapp",
        "source_event_id": "e-1-closed",
        "kind": "status",
        "ref": "e-1",
        "status": "closed",
        "reported_at": "2026-11-27T11:00:00+08:00",
    }
    assert api.post("/api/v1/events", json=update, headers=auth).json()["incident_ids"] == [
        incident_id
    ]
    drain(r, settings)
    got = api.get(f"/api/v1/incidents/{incident_id}", headers=auth).json()
    assert got["status"] == "closed"
    assert got["closed_at"] == "2026-11-27T11:00:00+08:00"
    unknown = {**update, "source_event_id": "x", "ref": "nope"}
    assert api.post("/api/v1/events", json=unknown, headers=auth).status_code == 422


def test_without_a_token_nothing_is_accepted(api: TestClient, r: redis.Redis, keys: Keys) -> None:
    assert api.post("/api/v1/events", json=report()).status_code == 401
    bad = api.post("/api/v1/events", json=report(), headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    assert bad.headers["WWW-Authenticate"].startswith("Bearer")
    assert r.xlen(keys.inbox) == 0
