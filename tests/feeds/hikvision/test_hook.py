"""``POST /api/v1/alarms/hikvision`` on a real server: address and digest/basic checks, alarms
resolved to cameras, heartbeats, storms merged, snapshots stored, bad input kept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
import redis

from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.refdata.registry import Registry
from tests.feeds.feedkit import drain, feeds_settings, fixture, store_cameras
from tests.helpers import issue_admin
from tests.live import Live, live_server

FEEDS = """
[[sources]]
id = "cams"
type = "hikvision"
allow = ["127.0.0.1/32"]

[[sources]]
id = "locked"
type = "hikvision"
allow = ["127.0.0.0/8"]
auth = { scheme = "digest", username = "cam", password = { env = "GW_TEST_CAM_PASSWORD" } }

[[sources]]
id = "basic"
type = "hikvision"
allow = ["127.0.0.0/8"]
auth = { scheme = "basic", username = "cam", password = { env = "GW_TEST_CAM_PASSWORD" } }

[[sources]]
id = "far"
type = "hikvision"
allow = ["10.0.0.0/8"]
"""
XML = {"Content-Type": "application/xml"}
CAMERA = "32011500001320000042"

READER = {"Authorization": "Bearer test-admin-token"}  # issue_admin's token


@pytest.fixture
def hook(
    settings: Settings,
    tmp_path: Path,
    r: redis.Redis,
    keys: Keys,
    demo_registry: Registry,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[Live, Settings, dict[str, str]]]:
    monkeypatch.setenv("GW_TEST_CAM_PASSWORD", "s3cret")
    store_cameras(r, keys, demo_registry)
    chosen = feeds_settings(settings, tmp_path, FEEDS)
    with live_server(chosen, processor=False) as live:
        yield live, chosen, issue_admin(r, keys)


def post(live: Live, body: bytes, source: str = "cams", **kw: object) -> httpx.Response:
    headers = kw.pop("headers", XML)
    return httpx.post(
        f"{live.base}/api/v1/alarms/hikvision?source={source}",
        content=body,
        headers=headers,
        timeout=10,
        **kw,
    )  # type: ignore[arg-type]


def repeat(n: int) -> bytes:
    body = fixture("hikvision", "ns-hikvision-com-ver20.xml")
    return body.replace(b"21:14:05", f"21:14:{n:02d}".encode())


def test_an_alarm_is_resolved_to_its_camera_and_shown(
    hook: tuple[Live, Settings, dict[str, str]], r: redis.Redis
) -> None:
    live, settings, _ = hook
    res = post(live, fixture("hikvision", "ns-isapi-org-ver20.xml"))
    assert res.status_code == 200
    assert res.json() == {"status": "ok", "alarms": 1, "heartbeats": 0, "duplicates": 0}
    drain(r, settings)
    alarms = httpx.get(f"{live.base}/api/v1/alarms", headers=READER).json()
    assert len(alarms) == 1
    assert alarms[0]["camera_id"] == CAMERA
    assert alarms[0]["camera_name"] == "东门广场"
    assert (alarms[0]["type"], alarms[0]["label"], alarms[0]["category"]) == (
        "intrusion",
        "区域入侵",
        "13",
    )
    assert alarms[0]["grid"] is not None
    detail = httpx.get(f"{live.base}/api/v1/alarms/{alarms[0]['id']}", headers=READER).json()
    assert detail["first_device_time"].startswith("2026-11-20T21:14:05")
    assert "EventNotificationAlert" in detail["raw"][0]
    camera = httpx.get(f"{live.base}/api/v1/cameras/{CAMERA}", headers=READER).json()
    assert camera["online"] is True
    assert camera["last_seen"] > 0
    assert camera["alarms"][0]["id"] == alarms[0]["id"]


def test_a_storm_of_repeats_is_one_alarm_with_a_count(
    hook: tuple[Live, Settings, dict[str, str]], r: redis.Redis
) -> None:
    live, settings, _ = hook
    for n in range(20):
        assert post(live, repeat(n)).json()["alarms"] == 1
    assert post(live, repeat(19)).json()["duplicates"] == 1  # a retransmission
    drain(r, settings)
    alarms = httpx.get(f"{live.base}/api/v1/alarms", headers=READER).json()
    assert [(a["count"], a["active"]) for a in alarms] == [(20, True)]


def test_a_heartbeat_proves_the_camera_alive_and_is_no_alarm(
    hook: tuple[Live, Settings, dict[str, str]], r: redis.Redis
) -> None:
    live, settings, _ = hook
    res = post(live, fixture("hikvision", "heartbeat-videoloss.xml"))
    assert res.json()["heartbeats"] == 1
    drain(r, settings)
    assert httpx.get(f"{live.base}/api/v1/alarms", headers=READER).json() == []
    assert (
        httpx.get(f"{live.base}/api/v1/cameras/{CAMERA}", headers=READER).json()["online"] is True
    )


def test_an_unknown_device_is_listed_and_its_alarm_kept(
    hook: tuple[Live, Settings, dict[str, str]], r: redis.Redis
) -> None:
    live, settings, _ = hook
    body = (
        repeat(1)
        .replace(b"44:19:b6:00:12:7a", b"aa:bb:cc:dd:ee:ff")
        .replace(b"10.20.3.41", b"10.9.9.9")
    )
    assert post(live, body).json()["unknown_devices"] == ["mac:aa:bb:cc:dd:ee:ff/2"]
    drain(r, settings)
    sources = httpx.get(f"{live.base}/api/v1/sources", headers=READER).json()
    unknown = sources["unknown_cameras"]
    assert [(u["identity"], u["source"], u["count"]) for u in unknown] == [
        ("mac:aa:bb:cc:dd:ee:ff/2", "cams", 1)
    ]
    cams = next(s for s in sources["sources"] if s["id"] == "cams")
    assert cams["events_total"] == 1
    assert cams["status"] == "ok"
    alarms = httpx.get(f"{live.base}/api/v1/alarms", headers=READER).json()
    assert alarms[0]["camera_id"] is None
    assert alarms[0]["device_key"] == "mac:aa:bb:cc:dd:ee:ff/2"


def test_multipart_snapshots_are_stored_and_served(
    hook: tuple[Live, Settings, dict[str, str]], r: redis.Redis
) -> None:
    live, settings, _ = hook
    res = post(
        live,
        fixture("hikvision", "multipart-3-jpeg.bin"),
        headers={"Content-Type": "multipart/form-data; boundary=boundary"},
    )
    assert res.json()["alarms"] == 1
    drain(r, settings)
    alarm = httpx.get(f"{live.base}/api/v1/alarms", headers=READER).json()[0]
    detail = httpx.get(f"{live.base}/api/v1/alarms/{alarm['id']}", headers=READER).json()
    assert len(detail["snapshots"]) == 3
    image = httpx.get(live.base + detail["snapshots"][0], headers=READER)
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/jpeg"
    assert image.content.startswith(b"\xff\xd8\xff")
    missing = f"{live.base}/api/v1/snapshots/20260101/{'0' * 32}.jpg"
    assert httpx.get(missing, headers=READER).status_code == 404


def test_addresses_and_credentials_are_checked(
    hook: tuple[Live, Settings, dict[str, str]], r: redis.Redis, keys: Keys
) -> None:
    live, _, _ = hook
    body = repeat(2)
    far = post(live, body, source="far")
    assert far.status_code == 403
    assert "not allowed" in far.json()["detail"]
    challenged = post(live, body, source="locked")
    assert challenged.status_code == 401
    assert challenged.headers["www-authenticate"].startswith("Digest ")
    assert r.xlen(keys.deadletter) == 1  # the challenge itself is no refusal
    ok = post(live, body, source="locked", auth=httpx.DigestAuth("cam", "s3cret"))
    assert ok.status_code == 200
    assert ok.json()["alarms"] == 1
    wrong = post(live, body, source="locked", auth=httpx.DigestAuth("cam", "guess"))
    assert wrong.status_code == 401
    assert post(live, repeat(3), source="basic", auth=("cam", "s3cret")).status_code == 200
    assert post(live, repeat(4), source="basic", auth=("cam", "nope")).status_code == 401
    assert r.xlen(keys.deadletter) == 3


def test_bad_bodies_get_200_and_are_kept_with_their_reason(
    hook: tuple[Live, Settings, dict[str, str]], r: redis.Redis, keys: Keys
) -> None:
    live, settings, admin = hook
    res = post(live, b"<EventNotificationAlert><eventType>VMD")
    assert res.status_code == 200
    assert res.json()["status"] == "refused"
    big = b"<a>" + b"x" * settings.feeds.device_body_max_bytes + b"</a>"
    assert post(live, big).json()["status"] == "refused"
    bomb = post(live, fixture("hikvision", "entity-bomb.xml"))
    assert "forbidden XML" in bomb.json()["reason"]
    letters = httpx.get(f"{live.base}/api/v1/deadletters", headers=admin).json()
    assert [letter["source"] for letter in letters] == ["cams", "cams", "cams"]
    assert letters[-1]["raw"].startswith("<EventNotificationAlert>")
    assert "malformed XML" in letters[-1]["reasons"][0]["reason"]
    assert httpx.get(f"{live.base}/api/v1/deadletters").status_code == 401
    health = httpx.get(f"{live.base}/api/v1/sources", headers=READER).json()
    cams = next(s for s in health["sources"] if s["id"] == "cams")
    assert (cams["deadletters_total"], cams["status"]) == (3, "error")
