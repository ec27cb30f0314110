"""``POST /api/v1/events`` for sources: their own tokens (rotation without downtime),
signatures with replay protection, body caps, rate limits, addresses, photos."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient

from feeds.sources.credentials import CredentialChange, SourceTokens
from feeds.sources.guards import sign
from gridwall.access.roles import Principal, Role, TokenStore
from gridwall.engine.incident import Incident
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.processes.server import create_app
from gridwall.refdata.registry import Registry
from tests.feeds.feedkit import drain, feeds_settings
from tests.helpers import issue_admin, report

FEEDS = """
[[sources]]
id = "gridapp"
type = "http"
rate_per_min = 5

[[sources]]
id = "signed"
type = "http"
hmac = { env = "GW_TEST_HMAC" }
max_body_bytes = 2048

[[sources]]
id = "office"
type = "http"
allow = ["10.0.0.0/8"]

[[sources]]
id = "nophotos"
type = "http"
photos = false

[[sources]]
id = "off"
type = "http"
enabled = false
"""
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def chosen(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("GW_TEST_HMAC", "shared-secret")
    return feeds_settings(settings, tmp_path, FEEDS)


@pytest.fixture
def api(chosen: Settings, seeded: Registry, r: redis.Redis) -> Iterator[TestClient]:
    app = create_app(chosen, chosen.redis_url or "", parts=("intake", "api"))
    with TestClient(app, client=("127.0.0.1", 50000)) as client:
        yield client


@pytest.fixture
def tokens(r: redis.Redis, keys: Keys) -> SourceTokens:
    return SourceTokens(r, keys)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def event(source: str, n: int = 1, **kw: object) -> dict[str, object]:
    return report(n, source=source, **kw)


def test_a_source_token_posts_only_as_its_source(api: TestClient, tokens: SourceTokens) -> None:
    token = tokens.issue("gridapp", label="app v3")
    assert (
        api.post("/api/v1/events", json=event("gridapp"), headers=bearer(token)).status_code == 202
    )
    other = api.post("/api/v1/events", json=event("signed", 2), headers=bearer(token))
    assert other.status_code == 422
    assert "may only post as 'gridapp'" in other.json()["errors"][0]["reason"]


def test_rotation_keeps_both_tokens_valid_then_the_old_one_expires(
    api: TestClient, r: redis.Redis, keys: Keys
) -> None:
    changes: list[CredentialChange] = []
    tokens = SourceTokens(r, keys, audit=changes.append)
    old = tokens.issue("gridapp")
    new = tokens.rotate("gridapp", grace_s=3600)
    for n, token in enumerate((old, new)):
        res = api.post("/api/v1/events", json=event("gridapp", 10 + n), headers=bearer(token))
        assert res.status_code == 202
    assert [info.expires_at is not None for info in tokens.list("gridapp")] == [True, False]
    # Two hours later (a clock of two hours ago makes the grace end in the past).
    earlier = SourceTokens(r, keys, audit=changes.append, clock=lambda: time.time() - 7200)
    newest = earlier.rotate("gridapp", grace_s=3600)
    for n, token in enumerate((old, new)):
        expired = api.post("/api/v1/events", json=event("gridapp", 20 + n), headers=bearer(token))
        assert expired.status_code == 401
        assert "expired" in expired.json()["detail"]
    assert (
        api.post("/api/v1/events", json=event("gridapp", 23), headers=bearer(newest)).status_code
        == 202
    )
    final = tokens.rotate("gridapp", grace_s=0)  # no changeover: the older ones end now
    (kept,) = tokens.list("gridapp")
    assert (
        api.post("/api/v1/events", json=event("gridapp", 24), headers=bearer(newest)).status_code
        == 401
    )
    newest = final
    assert tokens.revoke("gridapp", kept.token_id) == 1
    assert (
        api.post("/api/v1/events", json=event("gridapp", 22), headers=bearer(newest)).status_code
        == 401
    )
    assert [c.action for c in changes][:3] == ["issue", "issue", "rotate"]
    assert "revoke" in [c.action for c in changes]
    assert "expire" in [c.action for c in changes]


def signed(body: bytes, secret: str = "shared-secret", at: int | None = None) -> dict[str, str]:
    stamp = str(at if at is not None else int(time.time()))
    return {
        "X-Gridwall-Timestamp": stamp,
        "X-Gridwall-Signature": sign(secret, stamp, body),
        "Content-Type": "application/json",
    }


def test_signatures_are_checked_and_replays_refused(
    api: TestClient, tokens: SourceTokens, r: redis.Redis, keys: Keys
) -> None:
    auth = bearer(tokens.issue("signed"))
    body = json.dumps(event("signed")).encode()
    unsigned = api.post(
        "/api/v1/events", content=body, headers={**auth, "Content-Type": "application/json"}
    )
    assert unsigned.status_code == 401
    assert "must sign" in unsigned.json()["detail"]
    headers = {**auth, **signed(body)}
    assert api.post("/api/v1/events", content=body, headers=headers).status_code == 202
    replay = api.post("/api/v1/events", content=body, headers=headers)
    assert (replay.status_code, replay.json()["detail"]) == (
        401,
        "replayed request (this signature was already used)",
    )
    stale = api.post(
        "/api/v1/events", content=body, headers={**auth, **signed(body, at=int(time.time()) - 3600)}
    )
    assert "timestamp" in stale.json()["detail"]
    forged = api.post("/api/v1/events", content=body, headers={**auth, **signed(body, "guess")})
    assert forged.json()["detail"] == "signature does not match the body"
    letters = [f[b"source"] for _, f in r.xrange(keys.deadletter)]
    assert letters == [b"signed"] * 4
    big = json.dumps(event("signed", 2, description="x" * 3000)).encode()
    assert (
        api.post("/api/v1/events", content=big, headers={**auth, **signed(big)}).status_code == 413
    )


def test_the_rate_limit_answers_429_with_retry_after(
    api: TestClient, tokens: SourceTokens, r: redis.Redis, keys: Keys
) -> None:
    auth = bearer(tokens.issue("gridapp"))
    batch = [event("gridapp", n) for n in range(4)]
    assert api.post("/api/v1/events", json=batch, headers=auth).status_code == 202
    over = api.post("/api/v1/events", json=[event("gridapp", 7), event("gridapp", 8)], headers=auth)
    assert over.status_code == 429
    assert 1 <= int(over.headers["Retry-After"]) <= 60
    assert api.post("/api/v1/events", json=event("gridapp", 9), headers=auth).status_code == 202
    assert r.xlen(keys.deadletter) == 1


def test_addresses_disabled_sources_and_roles(
    api: TestClient, tokens: SourceTokens, r: redis.Redis, keys: Keys
) -> None:
    office = api.post(
        "/api/v1/events", json=event("office"), headers=bearer(tokens.issue("office"))
    )
    assert office.status_code == 403
    assert "127.0.0.1 may not post" in office.json()["detail"]
    off = api.post("/api/v1/events", json=event("off"), headers=bearer(tokens.issue("off")))
    assert (off.status_code, off.json()["detail"]) == (403, "source 'off' is disabled")
    wall = TokenStore(r, keys).issue(Principal(name="kiosk", role=Role.WALL))
    assert api.post("/api/v1/events", json=event("x"), headers=bearer(wall)).status_code == 403


def multipart(data: dict[str, object], files: list[tuple[str, tuple[str, bytes, str]]]) -> dict:
    return {
        "files": [("event", ("event.json", json.dumps(data).encode(), "application/json")), *files]
    }


def test_photos_are_uploaded_stored_and_served(
    api: TestClient, tokens: SourceTokens, r: redis.Redis, chosen: Settings, keys: Keys
) -> None:
    auth = bearer(tokens.issue("gridapp"))
    body = multipart(
        event("gridapp", photos=["https://cdn.example/p/1.jpg"]),
        [("photo", ("a.jpg", JPEG, "image/jpeg")), ("photo", ("b.png", PNG, "image/png"))],
    )
    res = api.post("/api/v1/events", headers=auth, **body)
    assert res.status_code == 202, res.text
    drain(r, chosen)
    incident = Incident.model_validate_json(r.get(keys.incident(res.json()["incident_ids"][0])))
    assert incident.photos[0] == "https://cdn.example/p/1.jpg"
    assert len(incident.photos) == 3
    served = api.get(incident.photos[1], headers=bearer(tokens.issue("gridapp")))
    assert served.status_code == 403  # a feed's token does not read photos
    served = api.get(incident.photos[1], headers=issue_admin(r, keys))
    assert (served.status_code, served.headers["content-type"]) == (200, "image/jpeg")
    assert served.content == JPEG
    fake = multipart(event("gridapp", 2), [("photo", ("c.jpg", b"<html>", "image/jpeg"))])
    assert api.post("/api/v1/events", headers=auth, **fake).status_code == 415
    refused = api.post(
        "/api/v1/events",
        headers=bearer(tokens.issue("nophotos")),
        **multipart(event("nophotos", 3), []),
    )
    assert refused.status_code == 415
    ftp = api.post(
        "/api/v1/events", json=event("gridapp", 4, photos=["ftp://x/y.jpg"]), headers=auth
    )
    assert ftp.status_code == 422
