"""The wall in a real browser: load it, post an event, see it appear (pushed, not polled)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
import redis

from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.refdata.registry import Registry
from tests.browser import chromium
from tests.helpers import issue_admin, issue_wall, report
from tests.live import Live, live_server

pytestmark = pytest.mark.browser


@pytest.fixture
def live(settings: Settings, seeded: Registry, r: redis.Redis) -> Iterator[Live]:
    with live_server(settings) as server:
        yield server


def test_a_posted_event_appears_on_the_wall(
    live: Live, r: redis.Redis, keys: Keys, artifacts: Path
) -> None:
    headers = issue_admin(r, keys)
    wall_token = issue_wall(r, keys, "desk")
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        requests: list[str] = []
        page.on("request", lambda req: requests.append(req.url))
        page.goto(f"{live.base}/wall/desk?token={wall_token}")  # the kiosk link
        page.wait_for_selector(".gw-screen", timeout=15_000)
        assert page.url == f"{live.base}/wall/desk"  # the token is gone from the address
        page.wait_for_selector(".gw-list .gw-empty", state="attached", timeout=5_000)
        requests.clear()
        title = "井盖缺失 浏览器测试"
        res = httpx.post(
            f"{live.base}/api/v1/events",
            json=report(1, title=title, urgency="urgent"),
            headers=headers,
        )
        assert res.status_code == 202
        page.locator(".gw-row-title", has_text=title).wait_for(state="attached", timeout=10_000)
        page.wait_for_function(
            "() => document.querySelector('.gw-gauge-value')?.textContent === '1'",
            timeout=10_000,
        )
        page.screenshot(path=str(artifacts / "wall-desk-skeleton.png"))
        assert not errors, errors
        # Pushed over the websocket: no HTTP polling while the update arrived.
        assert not [u for u in requests if "_dash-update-component" in u or "/api/" in u]
        # The wall never shows the reporter's phone or name.
        content = page.content()
        assert "13812341234" not in content
        assert "张小三" not in content


def test_an_unknown_layout_says_so_on_the_screen(live: Live, r: redis.Redis, keys: Keys) -> None:
    nowhere = issue_wall(r, keys, "nowhere", name="nowhere-wall")
    desk = issue_wall(r, keys, "desk")
    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{live.base}/wall/nowhere?token={nowhere}")
        page.get_by_text("没有名为 nowhere 的大屏布局").wait_for(timeout=15_000)
        page.goto(f"{live.base}/wall/desk/screen/9?lang=en&token={desk}")
        page.get_by_text("Layout desk has no screen 9").wait_for(timeout=15_000)
