"""`gridwall demo` runs the feeds too: camera payloads replayed from loopback become alarms."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest

from feeds.adapters.registry import SHIPPED_DEMO
from gridwall.platform.redisconn import free_port

pytestmark = pytest.mark.slow
READER = {"Authorization": "Bearer demo-secret"}
EXAMPLES = Path(__file__).parent.parent / "docs" / "examples"


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_demo_takes_replayed_camera_alarms(tmp_path: Path) -> None:
    port = free_port()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("GRIDWALL_") and k != "REDIS_URL"
    }
    env["GRIDWALL_DEMO_TOKEN"] = "demo-secret"
    # The shipped demo sources, with the SIP listener on a free port: a demo already running on
    # this machine holds the shipped one.
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(
        SHIPPED_DEMO.read_text(encoding="utf-8").replace(
            "port = 15060", f"port = {free_udp_port()}"
        ),
        encoding="utf-8",
    )
    env["GRIDWALL_FEEDS__FILE"] = str(feeds)
    proc = subprocess.Popen(
        [sys.executable, "-m", "gridwall", "demo", "--no-browser", "--no-simulator",
         "--port", str(port), "--data-dir", str(tmp_path)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=2, headers=READER).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < deadline, "demo did not become healthy"
            time.sleep(0.3)
        body = (EXAMPLES / "hikvision-fielddetection.xml").read_bytes()
        res = httpx.post(f"{base}/api/v1/alarms/hikvision", content=body,
                         headers={"Content-Type": "application/xml"})  # fmt: skip
        assert res.json()["status"] == "ok"
        gb = (EXAMPLES / "gb28181-alarm.xml").read_bytes()
        res = httpx.post(f"{base}/api/v1/alarms/gb28181", content=gb,
                         headers={"Content-Type": "Application/MANSCDP+xml"})  # fmt: skip
        assert res.json()["alarms"] == 1
        for _ in range(100):
            alarms = httpx.get(f"{base}/api/v1/alarms", headers=READER).json()
            if len(alarms) == 2:
                break
            time.sleep(0.1)
        assert sorted(a["source"] for a in alarms) == ["cameras", "gb-platform"]
        # The demo county's cameras carry the identities of the documented payloads.
        assert all(a["camera_id"] and a["camera_name"] for a in alarms), alarms
        for _ in range(50):  # health is written at most every feeds.health_flush_s
            body = httpx.get(f"{base}/api/v1/sources", headers=READER).json()
            sources = {s["id"]: s for s in body["sources"]}
            if sources["cameras"]["events_total"] == 1:
                break
            time.sleep(0.1)
        assert sources["gb-platform"]["connected"] is True  # its SIP listener is up
        assert sources["cameras"]["events_total"] == 1
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert "/api/v1/alarms/hikvision" in out
