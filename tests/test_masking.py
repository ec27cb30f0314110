"""Masking on every read path: every GET route of the API and the pages, as every role, in
every format, scanned for 11-digit mobile numbers and 18-character ID-card numbers.

Routes other branches add (exports, lists, dead letters) are scanned too once merged: the
routes are enumerated, not listed here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gridwall.access.roles import Right, Role, has_right
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.processes.server import create_app
from gridwall.refdata.registry import Registry
from gridwall.web.policy import iter_routes
from tests.helpers import ROLE_PRINCIPALS, drain, issue_admin, issue_roles, report

PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
NAMES = ("张小三", "欧阳修远")
FORMATS = ("", "?format=jsonl", "?format=csv", "?format=geojson")
PERSONAL = {
    "name": "张小三",
    "phone": "13812341234",
    "id_number": "11010119900307123X",
    "address": "江宁区东山街道竹山社区上元大街12号",
}


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def texts(body: str, content_type: str) -> list[str]:
    """The strings a reader sees (numbers such as coordinates are not text)."""
    if "json" in content_type and "ndjson" not in content_type:
        return list(strings(json.loads(body)))
    if "ndjson" in content_type or "jsonl" in content_type:
        return [s for line in body.splitlines() if line for s in strings(json.loads(line))]
    return [body]


#: Opaque ids (uuid4 hex event ids) may hold a digit run that looks like a number by chance.
OPAQUE = re.compile(r"^[0-9a-f]{32}$")
#: Long random tokens inside pages (Dash's ``end_id``, hashes, fingerprints) likewise.
TOKEN = re.compile(r"[0-9A-Za-z_~-]{24,}")


def leaks(body: str, content_type: str) -> list[str]:
    found: list[str] = []
    for raw in texts(body, content_type):
        if OPAQUE.match(raw):
            continue
        text = TOKEN.sub(" ", raw)
        found += PHONE.findall(text) + ID_NUMBER.findall(text)
        found += [n for n in NAMES if n in text]
    return found


@pytest.fixture
def client(
    settings: Settings, seeded: Registry, r: redis.Redis, keys: Keys
) -> Iterator[TestClient]:
    app = create_app(settings, settings.redis_url or "")
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def fill(path: str, incident_id: str, grid: str) -> str:
    path = path.replace("{incident_id}", incident_id).replace("{id}", incident_id)
    path = path.replace("{code}", grid)
    return re.sub(r"\{[^}]+\}", "x", path)


def test_no_read_path_shows_personal_data(
    client: TestClient,
    r: redis.Redis,
    keys: Keys,
    settings: Settings,
    seeded: Registry,
) -> None:
    admin = issue_admin(r, keys)
    event = report(
        1,
        title="楼道堆物 联系13812341234",
        # Numbers typed into prose are masked; names in prose cannot be found (see the docs).
        description=f"上报人身份证{PERSONAL['id_number']}，电话{PERSONAL['phone']}",
        reporter=PERSONAL,
    )
    (incident_id,) = client.post("/api/v1/events", json=event, headers=admin).json()["incident_ids"]
    note = {
        **report(2),
        "kind": "status",
        "ref": "e-1",
        "status": "accepted",
        "note": "回电13812341234",
    }
    assert client.post("/api/v1/events", json=note, headers=admin).status_code == 202
    bad = {**report(3, reporter=PERSONAL), "category": "nope"}
    assert client.post("/api/v1/events", json=bad, headers=admin).status_code == 422
    drain(r, settings)
    dispatched = client.post(  # to the department user's department, so it reads the case too
        f"/api/v1/incidents/{incident_id}/actions",
        json={"action": "dispatch", "department": "cg"},
        headers=admin,
    )
    assert dispatched.status_code == 202, dispatched.text
    drain(r, settings)
    reveal = client.post(
        f"/api/v1/incidents/{incident_id}/unmask",
        json={"reason": f"回访 {PERSONAL['phone']}"},
        headers=admin,
    )
    assert reveal.json()["incident"]["reporter"] == PERSONAL  # the one explicit way
    grid = next(code for code, a in seeded.areas.items() if a.level == "grid")
    app: FastAPI = client.app  # type: ignore[assignment]
    paths = sorted(
        {info.path for info in iter_routes(app) if "GET" in info.methods}
        - {"/wall/_dash-component-suites/{package_name}/{fingerprinted_path:path}"}
    )
    credentials = issue_roles(r, keys)
    checked = 0
    problems: list[str] = []
    for role, headers in credentials.items():
        raw_allowed = has_right(ROLE_PRINCIPALS[role], Right.RAW_DEADLETTERS)
        for path in paths:
            if raw_allowed and "deadletter" in path:
                continue  # admins see raw dead letters by right
            for variant in FORMATS:
                url = fill("/wall/desk" if path == "{path:path}" else path, incident_id, grid)
                res = client.get(url + variant, headers=headers, follow_redirects=False)
                if res.status_code != 200:
                    continue
                checked += 1
                found = leaks(res.text, res.headers.get("content-type", ""))
                if found:
                    problems.append(f"{role.value} GET {url}{variant}: {found}")
    assert checked > 40
    assert not problems, "\n".join(problems)
    # The changes stream (the walls' source) holds summaries only.
    changes = " ".join(v.decode() for _i, f in r.xrange(keys.changes) for v in f.values())
    assert not PHONE.search(changes)
    assert not ID_NUMBER.search(changes)


def test_the_incident_page_masks_until_unmasked(
    client: TestClient, r: redis.Redis, keys: Keys, settings: Settings
) -> None:
    admin = issue_admin(r, keys)
    (incident_id,) = client.post(
        "/api/v1/events", json=report(1, reporter=PERSONAL), headers=admin
    ).json()["incident_ids"]
    drain(r, settings)
    roles = issue_roles(r, keys)
    page = client.get(f"/incidents/{incident_id}", headers=roles[Role.OPERATOR])
    assert page.status_code == 200
    assert not leaks(page.text, "text/html")
    assert "138****1234" in page.text
    assert 'id="unmask"' in page.text  # the button for people with the right
    leader = client.get(f"/incidents/{incident_id}", headers=roles[Role.LEADER])
    assert 'id="unmask"' not in leader.text
    short = client.post(
        f"/api/v1/incidents/{incident_id}/unmask", json={"reason": ""}, headers=roles[Role.OPERATOR]
    )
    assert short.status_code == 422  # a reason is required
    audit = client.get("/api/v1/audit?action=unmask", headers=admin).json()["entries"]
    assert audit == []
