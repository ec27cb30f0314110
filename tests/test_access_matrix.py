"""The route × role matrix: every route of the assembled app declares a policy, the table in
docs/access-control.md is the app's, and a credential of every role gets what the table says.

Routes added by other branches are caught here when they are merged: a route without a policy
fails ``test_every_route_declares_a_policy``, a route missing from the docs table fails
``test_the_table_in_the_docs_is_the_apps``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from gridwall.access.roles import Role
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.processes.server import create_app
from gridwall.refdata.registry import Registry
from gridwall.web.policy import Policy, iter_routes, route_policy
from tests.helpers import dispatch_to, drain, issue_admin, issue_roles, report

DOC = Path(__file__).parent.parent / "docs" / "access-control.md"
ROLE_COLUMNS = ["wall", "operator", "department", "leader", "admin", "source"]
ROW = re.compile(r"^\| `(?P<method>[A-Z]+) (?P<path>[^`]+)` \|(?P<cells>.*)\|\s*$")


@dataclass(frozen=True)
class Expected:
    public: bool
    roles: dict[Role, str]  # "✓", "own" or "—"


def doc_table() -> dict[tuple[str, str], Expected]:
    table: dict[tuple[str, str], Expected] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match is None:
            continue
        cells = [c.strip() for c in match["cells"].split("|")]
        public, marks = cells[0] == "yes", cells[1:]
        assert len(marks) == len(ROLE_COLUMNS), line
        table[(match["method"], match["path"])] = Expected(
            public, {Role(name): mark for name, mark in zip(ROLE_COLUMNS, marks, strict=True)}
        )
    return table


def expected_of(policy: Policy, method: str) -> Expected:
    marks = {}
    for role in Role:
        allowed = policy.allows(role, "GET" if method == "WEBSOCKET" else method)
        scoped = policy.scoped and role is Role.DEPARTMENT
        marks[role] = ("own" if scoped else "✓") if allowed else "—"
    return Expected(policy.open, marks)


def app_routes(app: FastAPI) -> dict[tuple[str, str], Policy | None]:
    found: dict[tuple[str, str], Policy | None] = {}
    for info in iter_routes(app):
        policy = route_policy(info.route, app.state.policies)
        for method in info.methods or {"MOUNT"}:
            found[(method, info.path)] = policy
    return found


@pytest.fixture
def client(settings: Settings, seeded: Registry, r: redis.Redis) -> Iterator[TestClient]:
    app = create_app(settings, settings.redis_url or "")
    # Entered, so startup runs (Dash adds its catch-all route then) and one event loop serves
    # every request; server errors come back as 500s.
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def app(client: TestClient) -> FastAPI:
    app: FastAPI = client.app  # type: ignore[assignment]
    return app


def test_every_route_declares_a_policy(app: FastAPI) -> None:
    missing = sorted(f"{m} {p}" for (m, p), policy in app_routes(app).items() if policy is None)
    assert not missing, f"routes without an access policy: {missing}"


def test_the_table_in_the_docs_is_the_apps(app: FastAPI) -> None:
    table = doc_table()
    routes = app_routes(app)
    assert sorted(set(routes) - set(table)) == [], "routes missing from docs/access-control.md"
    assert sorted(set(table) - set(routes)) == [], "rows of routes that do not exist"
    for key, policy in routes.items():
        assert policy is not None
        assert expected_of(policy, key[0]) == table[key], f"{key} differs from the docs"


# -- walking the table -------------------------------------------------------------------------


def concrete(path: str, incident_id: str) -> str:
    path = path.replace("{incident_id}", incident_id)
    if path == "{path:path}":
        return "/wall/desk"
    if path == "/wall/assets":
        return "/wall/assets/wall.css"
    return path.replace(
        "{package_name}/{fingerprinted_path:path}", "dash/deps/react@18.v4_4_1m1.3.1.min.js"
    )


def call(client: TestClient, method: str, path: str, headers: dict[str, str]) -> int:
    """The status of one request (101 for an accepted websocket)."""
    headers = {**headers, "X-CSRF-Token": "walk"}  # for cookie-less public forms
    client.cookies.set("gw_csrf", "walk")
    if method == "WEBSOCKET":
        try:
            with client.websocket_connect(path, headers={**headers, "Origin": "http://testserver"}):
                return 101
        except WebSocketDisconnect:
            return 403
    if path.endswith("/unmask") and not path.startswith("/api/"):
        return client.post(path, data={"reason": "matrix walk"}, headers=headers).status_code
    if path.endswith("/unmask"):
        return client.post(path, json={"reason": "matrix walk"}, headers=headers).status_code
    if method == "POST":
        return client.post(path, json={}, headers=headers).status_code
    method = "GET" if method == "MOUNT" else method
    return client.request(method, path, headers=headers, follow_redirects=False).status_code


def test_walk_the_table_with_every_role(
    client: TestClient,
    r: redis.Redis,
    keys: Keys,
    settings: Settings,
) -> None:
    (incident_id,) = client.post(
        "/api/v1/events", json=report(), headers=issue_admin(r, keys)
    ).json()["incident_ids"]
    drain(r, settings)
    dispatch_to(client, r, settings, incident_id, "cg")  # the department user's department
    credentials = issue_roles(r, keys)
    routes = app_routes(client.app)  # type: ignore[arg-type]
    wrong: list[str] = []
    for (method, path), expected in doc_table().items():
        policy = routes.get((method, path))
        if policy is not None and policy.self_authenticated:
            continue  # camera hooks admit by address and device credentials (tests/feeds/)
        url = concrete(path, incident_id)
        anonymous = call(client, method, url, {})
        if expected.public == (anonymous in {401, 403}):
            wrong.append(f"{method} {url} without credentials: {anonymous}")
        for role, mark in expected.roles.items():
            status = call(client, method, url, credentials[role])
            if (mark != "—") == (status in {401, 403}):
                wrong.append(f"{method} {url} as {role.value} ({mark}): {status}")
    assert not wrong, "\n".join(wrong)


def test_a_department_never_reads_another_departments_case(
    client: TestClient,
    r: redis.Redis,
    keys: Keys,
    settings: Settings,
) -> None:
    (incident_id,) = client.post(
        "/api/v1/events", json=report(), headers=issue_admin(r, keys)
    ).json()["incident_ids"]
    drain(r, settings)
    roads = issue_roles(r, keys)[Role.DEPARTMENT]  # the city-management department (cg)
    dispatch_to(client, r, settings, incident_id, "sw")  # another department's case
    for res in (
        client.get(f"/api/v1/incidents/{incident_id}", headers=roads),
        client.post(
            f"/api/v1/incidents/{incident_id}/unmask", json={"reason": "curious"}, headers=roads
        ),
        client.get(f"/incidents/{incident_id}", headers=roads),
    ):
        assert res.status_code == 404  # as if it did not exist
        assert "13812341234" not in res.text
    (own,) = client.post("/api/v1/events", json=report(2), headers=issue_admin(r, keys)).json()[
        "incident_ids"
    ]
    drain(r, settings)
    dispatch_to(client, r, settings, own, "cg")
    assert client.get(f"/api/v1/incidents/{own}", headers=roads).status_code == 200


def test_a_wall_cannot_call_any_write(client: TestClient, r: redis.Redis, keys: Keys) -> None:
    app: FastAPI = client.app  # type: ignore[assignment]
    wall = issue_roles(r, keys)[Role.WALL]
    writes = [
        (method, path)
        for (method, path), policy in app_routes(app).items()
        if method in {"POST", "PUT", "PATCH", "DELETE"} and policy is not None and not policy.open
    ]
    assert writes
    for method, path in writes:
        url = concrete(path, "320115-20261127-00001")
        status = client.request(method, url, headers=wall, json={}).status_code
        renders_only = path.endswith("_dash-update-component")
        assert (status == 403) != renders_only, f"{method} {path} as a wall: {status}"


def test_a_route_without_a_policy_is_refused_to_everyone(
    settings: Settings, seeded: Registry, r: redis.Redis, keys: Keys
) -> None:
    app = create_app(settings, settings.redis_url or "", parts=("api",))

    @app.get("/api/v1/forgotten")
    async def forgotten() -> dict[str, str]:
        return {"secret": "everything"}

    with TestClient(app) as client:
        assert client.get("/api/v1/forgotten").status_code == 401
        res = client.get("/api/v1/forgotten", headers=issue_admin(r, keys))
        assert res.status_code == 403
        assert res.json()["detail"] == "no access policy is declared for this route"
    assert app_routes(app)[("GET", "/api/v1/forgotten")] is None
