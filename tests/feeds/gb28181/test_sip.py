"""The GB/T 28181 SIP listener and HTTP hook on a real server, driven by the real ``sipp``."""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
import redis

from gridwall.platform.keys import Keys
from gridwall.platform.redisconn import free_port
from gridwall.platform.settings import Settings
from gridwall.refdata.registry import Registry
from tests.feeds.feedkit import HERE, drain, feeds_settings, fixture, store_cameras
from tests.helpers import issue_admin
from tests.live import Live, live_server

SIPP = shutil.which("sipp")
SCENARIO = HERE / "gb28181" / "fixtures" / "sipp-alarm-message.xml"

READER = {"Authorization": "Bearer test-admin-token"}  # issue_admin's token


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def platform(
    settings: Settings, tmp_path: Path, r: redis.Redis, keys: Keys, demo_registry: Registry
) -> Iterator[tuple[Live, Settings, int, int]]:
    store_cameras(r, keys, demo_registry)
    sip, closed = free_udp_port(), free_udp_port()
    feeds = f"""
[[sources]]
id = "platform"
type = "gb28181"
allow = ["127.0.0.1/32"]
sip = {{ host = "127.0.0.1", port = {sip} }}

[[sources]]
id = "elsewhere"
type = "gb28181"
allow = ["10.0.0.0/8"]
sip = {{ host = "127.0.0.1", port = {closed} }}
"""
    chosen = feeds_settings(settings, tmp_path, feeds)
    issue_admin(r, keys)
    with live_server(chosen, processor=False) as live:
        yield live, chosen, sip, closed


def test_sipp_sends_an_alarm_message_and_gets_200(
    platform: tuple[Live, Settings, int, int], r: redis.Redis, tmp_path: Path
) -> None:
    assert SIPP is not None, "sipp (Debian sip-tester) is required"
    live, settings, sip, _ = platform
    result = subprocess.run(
        [
            SIPP,
            "-sf",
            str(SCENARIO),
            "-m",
            "1",
            "-i",
            "127.0.0.1",
            "-p",
            str(free_udp_port()),
            f"127.0.0.1:{sip}",
            "-nostdin",
            "-timeout",
            "15s",
            "-timeout_error",
        ],
        capture_output=True,
        timeout=30,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stdout.decode(errors="replace")[-2000:]
    drain(r, settings)
    alarms = httpx.get(f"{live.base}/api/v1/alarms", headers=READER).json()
    assert len(alarms) == 1
    assert (alarms[0]["camera_id"], alarms[0]["type"], alarms[0]["priority"]) == (
        "32011500001320000042",
        "intrusion",
        2,
    )
    detail = httpx.get(f"{live.base}/api/v1/alarms/{alarms[0]['id']}", headers=READER).json()
    assert detail["description"] == "区域入侵（东门广场）𠀀"
    assert detail["extra"]["reporter"] == "32011500001180000001"
    health = httpx.get(f"{live.base}/api/v1/sources", headers=READER).json()["sources"]
    assert next(s for s in health if s["id"] == "platform")["connected"] is True


def sip_exchange(port: int, body: bytes, method: str = "MESSAGE") -> str:
    request = (
        f"{method} sip:34020000002000000001@127.0.0.1:{port} SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-1\r\n"
        "From: <sip:32011500001180000001@127.0.0.1:5999>;tag=1\r\n"
        f"To: <sip:34020000002000000001@127.0.0.1:{port}>\r\n"
        "Call-ID: test-1@127.0.0.1\r\nCSeq: 1 MESSAGE\r\n"
        "Content-Type: Application/MANSCDP+xml\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(10)
        sock.sendto(request, ("127.0.0.1", port))
        answer, _ = sock.recvfrom(65535)
    return answer.decode()


def test_refusals_over_sip(
    platform: tuple[Live, Settings, int, int], r: redis.Redis, keys: Keys
) -> None:
    _live, _settings, sip, closed = platform
    assert sip_exchange(closed, fixture("gb28181", "keepalive.xml")).startswith(
        "SIP/2.0 403 Forbidden"
    )
    broken = sip_exchange(sip, b"<Notify><CmdType>Alarm</CmdType>")
    assert broken.startswith("SIP/2.0 200 OK")  # the device would retransmit forever
    assert sip_exchange(sip, b"", method="INVITE").startswith("SIP/2.0 405")
    reasons = [f[b"reasons"].decode() for _, f in r.xrange(keys.deadletter)]
    assert len(reasons) == 2
    assert "not allowed" in reasons[0]
    assert "malformed XML" in reasons[1]


def test_the_http_hook_takes_forwarded_notifications(
    platform: tuple[Live, Settings, int, int], r: redis.Redis
) -> None:
    live, settings, _, _ = platform
    url = f"{live.base}/api/v1/alarms/gb28181"
    headers = {"Content-Type": "Application/MANSCDP+xml"}
    res = httpx.post(
        url, content=fixture("gb28181", "alarm-combined-method-unpadded.xml"), headers=headers
    )
    assert res.json()["alarms"] == 1
    beat = httpx.post(url, content=fixture("gb28181", "keepalive.xml"), headers=headers)
    assert beat.json()["heartbeats"] == 1
    other = httpx.post(url, content=fixture("gb28181", "mobile-position.xml"), headers=headers)
    assert other.json()["ignored"] == 1
    drain(r, settings)
    (alarm,) = httpx.get(f"{live.base}/api/v1/alarms", headers=READER).json()
    assert (alarm["type"], alarm["priority"]) == ("motion", 1)
    assert httpx.get(f"{live.base}/api/v1/cameras/32011500001320000042", headers=READER).json()[
        "online"
    ]
    assert free_port()  # the ports above were free; nothing is left bound after the server
