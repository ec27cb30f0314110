"""`gridwall demo`: one command starts everything; Ctrl-C stops everything."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx2 as httpx
import pytest

from gridwall.platform.redisconn import free_port
from tests.helpers import report

pytestmark = pytest.mark.slow


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            found.add(int(entry.name))
            found |= children_of(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_demo_runs_and_stops_without_leftovers(tmp_path: Path) -> None:
    port = free_port()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("GRIDWALL_") and k != "REDIS_URL"
    }
    env["GRIDWALL_DEMO_TOKEN"] = "demo-secret"
    env["GRIDWALL_SIMULATOR__HISTORY_DAYS"] = "2"  # a short simulated history: a fast test
    env["GRIDWALL_SIMULATOR__HISTORY_PER_DAY"] = "30"
    proc = subprocess.Popen(
        [sys.executable, "-m", "gridwall", "demo", "--no-browser", "--port", str(port),
         "--data-dir", str(tmp_path), "--rate", "120"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,  # a terminal of its own: Ctrl-C reaches the whole group
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < deadline, "demo did not become healthy"
            time.sleep(0.3)
        address = json.loads((tmp_path / "redis.json").read_text())
        assert (tmp_path / "redis" / "appendonly.aof").exists() or (
            tmp_path / "redis" / "appendonlydir"
        ).exists()
        headers = {"Authorization": "Bearer demo-secret"}
        res = httpx.post(f"{base}/api/v1/events", json=report(), headers=headers)
        assert res.status_code == 202
        # The wall needs credentials; the demo token opens it as a kiosk link, the browser
        # gets a session cookie and the token leaves the address.
        page = httpx.get(f"{base}/wall/desk", headers={"Accept": "text/html"})
        assert page.status_code == 303
        assert page.headers["location"].startswith("/login")
        with httpx.Client(base_url=base) as browser:
            kiosk = browser.get("/wall/desk?token=demo-secret", follow_redirects=True)
            assert kiosk.status_code == 200
            assert str(kiosk.url) == f"{base}/wall/desk"
            assert "gw_session" in browser.cookies
        # the first start writes a simulated history; the briefing of yesterday then opens
        deadline = time.monotonic() + 60
        while (
            len(list((tmp_path / "history" / "open").glob("*"))) < 2
            or (tmp_path / "history" / ".seeding").exists()
        ):
            assert time.monotonic() < deadline, "the demo wrote no history"
            time.sleep(0.5)
        yesterday = datetime.now(ZoneInfo("Asia/Shanghai")).date() - timedelta(days=1)
        page = httpx.get(f"{base}/briefing/{yesterday}", headers=headers, timeout=30)
        assert page.status_code == 200
        assert "每日简报" in page.text
        leftovers = children_of(proc.pid)
        assert address["pid"] in leftovers
        assert len(leftovers) >= 3  # redis, worker, simulator
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the demo and its children at once
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    # Redis is stopped last, so nothing that uses it loses it on the way out
    assert "redis unavailable" not in out
    assert "wall:    " in out
    assert "/wall/desk?token=" in out
    assert f"{base}/wall/desk?token=demo-secret" in out  # every wall as a kiosk link
    assert "sign in: " in out
    assert "user admin, password " in out
    assert "gridwall: stopped." in out
    assert "briefing: " in out
    assert "days of simulated history" in out
    time.sleep(0.5)
    assert not [pid for pid in leftovers if alive(pid)]
    assert not (tmp_path / "redis.json").exists()
