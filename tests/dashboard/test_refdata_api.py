"""The reference-data read API: areas with ancestors and counts, departments, categories,
cameras, workers (always masked) and the summary."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import redis
from fastapi.testclient import TestClient

from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.processes.server import create_app
from gridwall.refdata.model import Level
from gridwall.refdata.registry import Registry
from tests.helpers import issue_admin


@pytest.fixture
def api(settings: Settings, seeded: Registry, r: redis.Redis) -> Iterator[TestClient]:
    app = create_app(settings, settings.redis_url or "", parts=("api",))
    with TestClient(app, headers=issue_admin(r, Keys(settings.county))) as client:
        yield client


def test_areas_by_level_and_parent(api: TestClient, seeded: Registry) -> None:
    street = seeded.by_level(Level.STREET)[0].code
    grids = api.get("/api/v1/areas", params={"parent": street, "level": "grid"}).json()
    assert [g["code"] for g in grids] == seeded.grids_in(street)
    assert all(g["code"].startswith(street[:9]) for g in grids)
    children = api.get("/api/v1/areas", params={"parent": street}).json()
    assert {c["level"] for c in children} == {"community"}
    collection = api.get("/api/v1/areas", params={"level": "street", "format": "geojson"}).json()
    assert len(collection["features"]) == len(seeded.by_level(Level.STREET))
    assert collection["features"][0]["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    assert api.get("/api/v1/areas", params={"level": "block"}).status_code == 422


def test_one_area_with_its_ancestors_and_counts(api: TestClient, seeded: Registry) -> None:
    grid = seeded.cameras[sorted(seeded.cameras)[0]].grid
    assert grid is not None
    body = api.get(f"/api/v1/areas/{grid}").json()
    assert body["code"] == grid
    assert [a["level"] for a in body["ancestors"]] == ["community", "street", "county"]
    assert body["counts"]["cameras"] >= 1
    assert body["counts"]["workers"] >= 1
    assert body["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    county = api.get(f"/api/v1/areas/{seeded.county}").json()
    assert county["ancestors"] == []
    assert county["counts"]["grid"] == len(seeded.by_level(Level.GRID))
    assert county["counts"]["street"] == len(county["children"])
    assert county["counts"]["cameras"] == len(seeded.cameras)
    feature = api.get(f"/api/v1/areas/{grid}", params={"format": "geojson"}).json()
    assert feature["type"] == "Feature"
    assert feature["properties"]["code"] == grid
    res = api.get("/api/v1/areas/999999")
    assert res.status_code == 404
    assert res.json()["detail"] == "no area 999999"


def test_departments_and_categories(api: TestClient, seeded: Registry) -> None:
    offices = api.get("/api/v1/departments", params={"kind": "street"}).json()
    assert len(offices) == len(seeded.by_level(Level.STREET))
    assert all(d["area"] for d in offices)
    assert len(api.get("/api/v1/departments").json()) == len(seeded.departments)
    top = api.get("/api/v1/categories", params={"parent": ""}).json()
    assert {"01", "05", "12", "16"} <= {c["code"] for c in top}
    assert all(c["parent"] is None for c in top)
    hazards = api.get("/api/v1/categories", params={"parent": "12"}).json()
    assert hazards
    assert all(c["parent"] == "12" and c["department"] and c["sla"] for c in hazards)


def test_cameras_by_area_and_by_page(api: TestClient, seeded: Registry) -> None:
    page = api.get("/api/v1/cameras", params={"limit": 50, "offset": 10}).json()
    assert page["total"] == len(seeded.cameras)
    assert [c["id"] for c in page["items"]] == sorted(seeded.cameras)[10:60]
    street = seeded.by_level(Level.STREET)[0].code
    inside = api.get("/api/v1/cameras", params={"area": street}).json()
    assert inside["total"] == len(seeded.cameras_in(street)) > 0
    assert all(c["grid"].startswith(street[:9]) for c in inside["items"])
    assert api.get("/api/v1/cameras", params={"area": "1"}).status_code == 404
    assert api.get("/api/v1/cameras", params={"limit": 0}).status_code == 422


def test_workers_are_always_masked(api: TestClient, seeded: Registry) -> None:
    res = api.get("/api/v1/workers", params={"limit": 10000})
    body = res.json()
    assert body["total"] == len(seeded.workers)
    for item in body["items"]:
        assert re.fullmatch(r"1\d\d\*{4}\d{4}", item["phone"]), item["phone"]
        assert "*" in item["name"]
    for worker in list(seeded.workers.values())[:200]:
        assert worker.phone not in res.text
        assert f'"{worker.name}"' not in res.text
    grid = seeded.by_level(Level.GRID)[0].code
    mine = api.get("/api/v1/workers", params={"area": grid}).json()
    assert mine["total"] >= 1
    assert all(grid in w["grids"] for w in mine["items"])


def test_the_summary_counts_every_kind(api: TestClient, seeded: Registry) -> None:
    body = api.get("/api/v1/refdata").json()
    assert body["areas"]["grid"] == len(seeded.by_level(Level.GRID))
    assert body["cameras"] == len(seeded.cameras)
    assert body["workers"] == len(seeded.workers)
    assert body["departments"] == len(seeded.departments)
    assert body["categories"] == len(seeded.categories)
