"""Signing in, sessions, CSRF, lockout, kiosk links, token rotation and the hardening headers,
through the real server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from fastapi import Depends
from fastapi.testclient import TestClient

from gridwall.access.audit import AuditQuery, read_audit
from gridwall.access.roles import Principal, Role, TokenStore
from gridwall.access.users import User, UserStore
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.processes.server import create_app
from gridwall.refdata.registry import Registry
from gridwall.web.deps import require_roles
from tests.helpers import drain, issue_admin, issue_wall, report

PASSWORD = "correct horse battery"


@pytest.fixture
def client(
    settings: Settings, seeded: Registry, r: redis.Redis, keys: Keys
) -> Iterator[TestClient]:
    users = UserStore(r, keys, settings.auth)
    users.add(User(name="zhang", role=Role.OPERATOR), PASSWORD)
    users.add(User(name="li", role=Role.LEADER), PASSWORD)
    app = create_app(settings, settings.redis_url or "")
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def sign_in(client: TestClient, name: str = "zhang", password: str = PASSWORD, **extra: str) -> int:
    form = client.get("/login")
    token = client.cookies["gw_csrf"]
    assert f'value="{token}"' in form.text
    res = client.post(
        "/login",
        data={"username": name, "password": password, "csrf_token": token, **extra},
        follow_redirects=False,
    )
    return res.status_code


def test_the_sign_in_page_speaks_chinese_then_english(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert "用户名" in page.text
    assert '<html lang="zh-CN">' in page.text
    assert "Password" in client.get("/login?lang=en").text


def test_a_person_signs_in_and_out(client: TestClient, r: redis.Redis, keys: Keys) -> None:
    anonymous = client.get("/wall/desk", headers={"Accept": "text/html"}, follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=%2Fwall%2Fdesk"
    form = client.get("/login")
    res = client.post(
        "/login",
        data={
            "username": "zhang",
            "password": PASSWORD,
            "csrf_token": client.cookies["gw_csrf"],
            "next": "/wall/desk",
        },
        follow_redirects=False,
    )
    assert form.status_code == 200
    assert res.status_code == 303
    assert res.headers["location"] == "/wall/desk"
    cookies = res.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("gw_session="))
    assert "HttpOnly" in session
    assert "SameSite=strict" in session
    assert "Secure" not in session  # only in production
    assert client.get("/wall/desk").status_code == 200
    assert client.get("/home").status_code == 200
    (entry,), _ = read_audit(r, keys, AuditQuery(action="login"))
    assert (entry.actor, entry.via, entry.remote) == ("zhang", "password", "testclient")
    out = client.post(
        "/logout", data={"csrf_token": client.cookies["gw_csrf"]}, follow_redirects=False
    )
    assert out.status_code == 303
    assert client.get("/home", follow_redirects=False).status_code == 401
    assert read_audit(r, keys, AuditQuery(action="logout"))[0]


def test_never_an_open_redirect(client: TestClient) -> None:
    client.get("/login")
    res = client.post(
        "/login",
        data={
            "username": "zhang",
            "password": PASSWORD,
            "csrf_token": client.cookies["gw_csrf"],
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert res.headers["location"] == "/"


def test_repeated_failures_lock_the_name(
    client: TestClient, r: redis.Redis, keys: Keys, settings: Settings
) -> None:
    codes = [sign_in(client, password="wrong") for _ in range(settings.auth.lockout_failures)]
    assert codes[:-1] == [401] * (settings.auth.lockout_failures - 1)
    assert codes[-1] == 403
    assert sign_in(client) == 403  # locked, even with the right password
    assert (
        "已暂时锁定"
        in client.post(
            "/login",
            data={
                "username": "zhang",
                "password": PASSWORD,
                "csrf_token": client.cookies["gw_csrf"],
            },
        ).text
    )
    failed, _ = read_audit(r, keys, AuditQuery(action="login-failed"))
    assert {e.outcome for e in failed} == {"bad-credentials", "locked"}
    UserStore(r, keys, settings.auth).unlock("zhang")
    assert sign_in(client) == 303


def test_cookie_writes_need_the_csrf_token(
    client: TestClient, r: redis.Redis, keys: Keys, settings: Settings
) -> None:
    (incident_id,) = client.post(
        "/api/v1/events", json=report(), headers=issue_admin(r, keys)
    ).json()["incident_ids"]
    drain(r, settings)
    # Signing in needs the double-submit token too.
    client.get("/login")
    bare = client.post("/login", data={"username": "zhang", "password": PASSWORD})
    assert bare.status_code == 403
    assert sign_in(client) == 303
    url = f"/api/v1/incidents/{incident_id}/unmask"
    body = {"reason": "回访上报人"}
    assert client.post(url, json=body).status_code == 403  # no token
    assert client.post(url, json=body, headers={"X-CSRF-Token": "forged"}).status_code == 403
    token = client.cookies["gw_csrf"]
    cross = client.post(
        url, json=body, headers={"X-CSRF-Token": token, "Origin": "http://evil.example"}
    )
    assert cross.status_code == 403
    good = client.post(url, json=body, headers={"X-CSRF-Token": token})
    assert good.status_code == 200
    assert good.json()["incident"]["reporter"]["phone"] == "13812341234"
    form = client.post(f"/incidents/{incident_id}/unmask", data={"reason": "回访上报人"})
    assert form.status_code == 403  # a form needs its hidden field
    form = client.post(
        f"/incidents/{incident_id}/unmask", data={"reason": "回访上报人", "csrf_token": token}
    )
    assert form.status_code == 200
    assert "13812341234" in form.text
    assert form.headers["cache-control"] == "no-store"
    # Dash's callback endpoint, called with the cookie: the renderer sends the header.
    dash = client.post("/wall/_dash-update-component", json={})
    assert dash.status_code == 403
    # Bearer calls are exempt (a page cannot make a browser send that header): the bearer
    # token wins over the cookie.
    bearer = client.post(url, json=body, headers=issue_admin(r, keys, "admin-2"))
    assert bearer.status_code == 200


def test_a_kiosk_link_opens_its_wall_and_only_that(
    client: TestClient, r: redis.Redis, keys: Keys
) -> None:
    token = issue_wall(r, keys, "desk")
    res = client.get(f"/wall/desk?lang=en&token={token}", follow_redirects=False)
    assert res.status_code == 303
    assert res.headers["location"] == "/wall/desk?lang=en"  # the token leaves the address
    assert client.get("/wall/desk").status_code == 200
    assert client.get("/wall/desk/screen/1").status_code == 200
    other = client.get("/wall/lobby")
    assert other.status_code == 403
    assert other.json()["detail"] == "this wall may only show layout desk"
    assert client.get("/api/v1/incidents/320115-20261127-00001").status_code == 403
    assert client.post("/api/v1/events", json=report()).status_code == 403
    (entry,), _ = read_audit(r, keys, AuditQuery(action="kiosk-opened"))
    assert entry.actor == "lobby"
    TokenStore(r, keys).revoke(token)  # revoked: the wall's session ends with it
    assert client.get("/wall/desk", follow_redirects=False).status_code == 401
    bad = client.get("/wall/desk?token=nope", follow_redirects=False)
    assert bad.status_code == 401
    admin = issue_admin(r, keys)["Authorization"].removeprefix("Bearer ")
    assert client.get(f"/wall/desk?token={admin}").status_code == 401  # not a wall token


def test_a_source_token_rotates_without_downtime(
    client: TestClient, r: redis.Redis, keys: Keys
) -> None:
    store = TokenStore(r, keys)
    feed = Principal(name="gridapp", role=Role.SOURCE, source="gridapp")
    old = store.issue(feed, label="old")
    new = store.issue(feed, label="new")
    for n, token in enumerate((old, new)):
        res = client.post(
            "/api/v1/events", json=report(n), headers={"Authorization": f"Bearer {token}"}
        )
        assert res.status_code == 202
    old_id = next(rec.id for rec in store.records("gridapp").values() if rec.label == "old")
    store.revoke_id("gridapp", old_id)
    assert (
        client.post(
            "/api/v1/events", json=report(8), headers={"Authorization": f"Bearer {old}"}
        ).status_code
        == 401
    )
    assert (
        client.post(
            "/api/v1/events", json=report(9), headers={"Authorization": f"Bearer {new}"}
        ).status_code
        == 202
    )
    other = client.post(
        "/api/v1/events",
        json=report(10, source="hotline"),
        headers={"Authorization": f"Bearer {new}"},
    )
    assert other.status_code == 422  # a feed posts only as itself


def test_security_headers_and_body_limits(client: TestClient, settings: Settings) -> None:
    res = client.get("/login")
    csp = res.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self' 'sha256-" in csp  # Dash's inline scripts by their hashes
    assert "unsafe-eval" not in csp
    assert res.headers["x-content-type-options"] == "nosniff"
    assert res.headers["x-frame-options"] == "DENY"
    assert res.headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in res.headers
    limit = settings.http.max_request_bytes
    big = client.post("/login", content=b"x" * (limit + 1))
    assert big.status_code == 413

    def chunks() -> Iterator[bytes]:
        for _ in range(limit // 65536 + 2):
            yield b"y" * 65536

    streamed = client.post(
        "/api/v1/events",
        content=chunks(),
        headers={"Content-Type": "application/json", "Authorization": "Bearer x"},
    )
    assert streamed.status_code in {401, 413}
    assert client.post("/wall/_dash-update-component", content=chunks()).status_code in {
        401,
        413,
    }


def test_production_mode(settings: Settings, seeded: Registry, r: redis.Redis, keys: Keys) -> None:
    production = settings.model_copy(
        update={"http": settings.http.model_copy(update={"production": True})}
    )
    UserStore(r, keys, settings.auth).add(User(name="zhang", role=Role.OPERATOR), PASSWORD)
    app = create_app(production, settings.redis_url or "")
    assert not app.debug

    @app.get("/api/v1/boom", dependencies=[Depends(require_roles(Role.ADMIN))])
    async def boom() -> None:
        raise RuntimeError("secret internals")

    @app.get("/api/v1/forgotten")
    async def forgotten() -> None:
        raise RuntimeError("never runs")

    with TestClient(app, raise_server_exceptions=False, base_url="https://testserver") as client:
        assert "strict-transport-security" in client.get("/login").headers
        assert sign_in(client) == 303
        cookie = next(c for c in client.cookies.jar if c.name == "gw_session")
        assert cookie.secure
        res = client.get("/api/v1/boom", headers=issue_admin(r, keys))
        assert res.status_code == 500  # no debug page, no traceback
        assert "secret internals" not in res.text
        assert "Traceback" not in res.text
        undeclared = client.get("/api/v1/forgotten", headers=issue_admin(r, keys))
        assert undeclared.status_code == 403  # refused before it runs
