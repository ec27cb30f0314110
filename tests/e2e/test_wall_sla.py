"""The wall shows a breach pushed by the SLA clock: 超期 in the status column, zh-CN and en."""

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
    fast = settings.model_copy(update={"sla": settings.sla.model_copy(update={"tick_ms": 50})})
    with live_server(fast, clock=True) as server:
        yield server


def test_an_overdue_case_is_marked_on_the_wall(
    live: Live, r: redis.Redis, keys: Keys, artifacts: Path
) -> None:
    headers = issue_admin(r, keys)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(f"{live.base}/wall/desk?token={issue_wall(r, keys, 'desk')}")
        page.wait_for_selector(".gw-list .gw-empty", state="attached", timeout=15_000)
        # Reported three days ago and never accepted: its accept stage is long overdue.
        old = report(1, title="围墙开裂 无人受理", reported_at="2026-11-24T09:00:00+08:00")
        res = httpx.post(f"{live.base}/api/v1/events", json=old, headers=headers)
        assert res.status_code == 202
        page.locator(".gw-row-status.sla-overdue", has_text="超期").wait_for(
            state="attached", timeout=15_000
        )
        page.screenshot(path=str(artifacts / "wall-desk-overdue.png"))
        page.goto(f"{live.base}/wall/desk?lang=en")
        page.locator(".gw-row-status.sla-overdue", has_text="Overdue").wait_for(
            state="attached", timeout=15_000
        )
    assert int(r.hget(keys.sla_counts, "overdue") or 0) == 1
