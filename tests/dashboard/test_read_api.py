from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import redis
from fastapi.testclient import TestClient

from gridwall.engine.processor.processor import Processor
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.processes.server import create_app
from gridwall.refdata.registry import Registry
from tests.helpers import drain, issue_admin, report


@pytest.fixture
def api(settings: Settings, seeded: Registry, r: redis.Redis, keys: Keys) -> Iterator[TestClient]:
    app = create_app(settings, settings.redis_url or "", parts=("intake", "api"))
    with TestClient(app) as client:
        client.headers.update(issue_admin(r, keys))  # reads need credentials too
        yield client


def test_health_needs_a_running_processor(
    api: TestClient, r: redis.Redis, keys: Keys, settings: Settings
) -> None:
    res = api.get("/api/v1/health")
    assert res.status_code == 503
    assert res.json()["reason"] == "no processor is running"
    proc = Processor(r, keys, settings.processor, ZoneInfo(settings.timezone), "hb")
    proc.ensure_group()
    proc.beat()
    res = api.get("/api/v1/health")
    assert res.status_code == 200, res.json()
    assert res.json()["status"] == "ok"
    assert res.json()["processor_lag_s"] == 0.0


def test_health_reports_a_lagging_processor(
    api: TestClient, r: redis.Redis, keys: Keys, settings: Settings
) -> None:
    proc = Processor(r, keys, settings.processor, ZoneInfo(settings.timezone), "hb")
    proc.ensure_group()
    proc.beat()
    r.xadd(keys.inbox, {"e": "{}"}, id="1000-0")  # waiting since 1970
    res = api.get("/api/v1/health")
    assert res.status_code == 503
    assert "processor lag" in res.json()["reason"]


def test_incident_reads(api: TestClient, r: redis.Redis, keys: Keys, settings: Settings) -> None:
    res = api.post("/api/v1/events", json=report(), headers=issue_admin(r, keys))
    incident_id = res.json()["incident_ids"][0]
    assert api.get(f"/api/v1/incidents/{incident_id}").status_code == 404  # not processed yet
    drain(r, settings)
    body = api.get(f"/api/v1/incidents/{incident_id}").json()
    assert body["id"] == incident_id
    assert body["history"][0]["action"] == "report"
    assert "seen" not in body
    recent = api.get("/api/v1/incidents/recent", params={"limit": 5}).json()
    assert [item["id"] for item in recent] == [incident_id]
    assert "reporter" not in recent[0]
    assert api.get("/api/v1/incidents/not-an-id").status_code == 404


def test_reference_data_reads(api: TestClient, seeded: Registry) -> None:
    grids = api.get("/api/v1/areas", params={"level": "grid"}).json()
    assert len(grids) == len([a for a in seeded.areas.values() if a.level == "grid"])
    assert "geometry" not in grids[0]
    street = api.get("/api/v1/areas", params={"level": "street"}).json()[0]["code"]
    children = api.get("/api/v1/areas", params={"parent": street, "format": "geojson"}).json()
    assert children["type"] == "FeatureCollection"
    assert all(f["properties"]["parent"] == street for f in children["features"])
    assert children["features"][0]["geometry"]["type"] == "Polygon"
    assert api.get("/api/v1/areas", params={"parent": "999"}).status_code == 404
    categories = {c["code"]: c for c in api.get("/api/v1/categories").json()}
    assert {"code": "12", "name": "安全隐患"}.items() <= categories["12"].items()
    assert api.get("/api/v1/refdata").json()["areas"]["street"] == len(seeded.by_level("street"))


def test_the_openapi_document_is_served(api: TestClient) -> None:
    spec = api.get("/api/openapi.json").json()
    assert "/api/v1/events" in spec["paths"]
    assert "/api/v1/incidents/{incident_id}" in spec["paths"]
    assert api.get("/docs").status_code == 404  # no CDN-loaded Swagger UI
