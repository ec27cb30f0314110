"""``GET /api/v1/audit``: admins only, filters, pages, and a JSON-lines export that is itself
audited."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import redis
from fastapi.testclient import TestClient

from gridwall.access.audit import AuditAction, audit
from gridwall.access.roles import Role
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.processes.server import create_app
from gridwall.refdata.registry import Registry
from tests.helpers import issue_admin, issue_roles


@pytest.fixture
def client(settings: Settings, seeded: Registry, r: redis.Redis) -> Iterator[TestClient]:
    app = create_app(settings, settings.redis_url or "", parts=("api",))
    with TestClient(app) as client:
        yield client


def test_admins_read_and_export_the_trail(client: TestClient, r: redis.Redis, keys: Keys) -> None:
    for n in range(5):
        audit(r, keys, AuditAction.LOGIN, actor=f"user{n}", remote="10.0.0.1")
    audit(r, keys, AuditAction.UNMASK, actor="zhang", target="320115-20261127-00001")
    admin = issue_admin(r, keys)
    roles = issue_roles(r, keys)
    for role in (Role.OPERATOR, Role.LEADER, Role.DEPARTMENT, Role.WALL):
        assert client.get("/api/v1/audit", headers=roles[role]).status_code == 403
    page = client.get("/api/v1/audit", params={"action": "login", "limit": 3}, headers=admin)
    body = page.json()
    assert [e["actor"] for e in body["entries"]] == ["user4", "user3", "user2"]
    rest = client.get(
        "/api/v1/audit",
        params={"action": "login", "limit": 3, "before": body["next"]},
        headers=admin,
    ).json()
    assert [e["actor"] for e in rest["entries"]] == ["user1", "user0"]
    assert rest["next"] is None
    export = client.get("/api/v1/audit", params={"format": "jsonl"}, headers=admin)
    assert export.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in export.text.splitlines()]
    assert {line["action"] for line in lines} == {"login", "unmask"}
    exported = client.get("/api/v1/audit", params={"action": "export"}, headers=admin).json()
    assert exported["entries"][0]["target"] == "audit"
    assert exported["entries"][0]["detail"]["entries"] == 6
    bad = client.get("/api/v1/audit", params={"limit": 5000}, headers=admin)
    assert bad.status_code == 422
