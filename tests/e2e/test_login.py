"""People in a real browser: sign in, the wall under its CSP without a console error, a case
masked until its unmask button is used with a reason, and a kiosk link."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
import redis
from playwright.sync_api import Page

from gridwall.access.roles import Role
from gridwall.access.users import User, UserStore
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.refdata.registry import Registry
from tests.browser import chromium
from tests.e2e.wallchecks import FILLED, every_panel
from tests.helpers import issue_admin, issue_wall, report
from tests.live import Live, live_server

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
REPORTER = {"name": "张小三", "phone": "13812341234", "id_number": "11010119900307123X"}


@pytest.fixture
def live(settings: Settings, seeded: Registry, r: redis.Redis, keys: Keys) -> Iterator[Live]:
    UserStore(r, keys, settings.auth).add(User(name="zhang", role=Role.OPERATOR), PASSWORD)
    with live_server(settings) as server:
        yield server


def watch(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def no_personal_data(html: str) -> None:
    assert not PHONE.search(html), PHONE.search(html)
    assert not ID_NUMBER.search(html)
    assert "张小三" not in html


def test_sign_in_then_the_wall_then_a_case(
    live: Live, r: redis.Redis, keys: Keys, artifacts: Path
) -> None:
    event = report(1, title="楼道堆物 回电13812341234", reporter=REPORTER)
    res = httpx.post(f"{live.base}/api/v1/events", json=event, headers=issue_admin(r, keys))
    (incident_id,) = res.json()["incident_ids"]
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        errors = watch(page)
        page.goto(f"{live.base}/wall/desk")
        assert page.url.startswith(f"{live.base}/login?next=")  # sent to sign in first
        page.get_by_label("用户名").fill("zhang")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{live.base}/wall/desk")
        page.wait_for_selector(".gw-screen", timeout=15_000)
        page.locator(".gw-row-title", has_text="楼道堆物 回电138****1234").wait_for(
            state="attached", timeout=15_000
        )
        page.wait_for_function(  # Plotly runs under the CSP
            "() => document.querySelector('.gw-gauge-value')?.textContent === '1'",
            timeout=15_000,
        )
        no_personal_data(page.content())
        page.screenshot(path=str(artifacts / "wall-signed-in.png"))
        assert not errors, errors  # the CSP lets the wall run, and blocks nothing it needs

        page.goto(f"{live.base}/incidents/{incident_id}")
        no_personal_data(page.content())
        assert page.get_by_text("138****1234").count() >= 1
        page.get_by_label("查看理由（将记入审计）").fill("回访上报人，核实地址")
        page.get_by_role("button", name="查看个人信息").click()
        page.get_by_text("13812341234", exact=True).wait_for(timeout=5_000)
        assert "本次查看已记入审计" in page.content()
        assert page.url == f"{live.base}/incidents/{incident_id}/unmask"  # no data in the URL
        assert not errors, errors
    entries = httpx.get(
        f"{live.base}/api/v1/audit?action=unmask", headers=issue_admin(r, keys, "auditor")
    ).json()["entries"]
    assert [(e["actor"], e["target"]) for e in entries] == [("zhang", incident_id)]


def test_a_kiosk_link_in_english(live: Live, r: redis.Redis, keys: Keys) -> None:
    token = issue_wall(r, keys, "desk")
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        errors = watch(page)
        page.goto(f"{live.base}/wall/desk?token={token}&lang=en")
        page.wait_for_selector(".gw-screen", timeout=15_000)
        assert page.url == f"{live.base}/wall/desk?lang=en"
        page.get_by_text("Backlog and time limits").wait_for(timeout=5_000)
        page.get_by_text("Duty desk").wait_for(timeout=5_000)  # the layout's English title
        page.wait_for_function(FILLED, timeout=20_000)
        every_panel([page], "desk")  # English words are longer: nothing cut, nothing too small
        cookies = {c["name"]: c for c in page.context.cookies()}
        assert cookies["gw_session"]["httpOnly"]
        assert cookies["gw_session"]["sameSite"] == "Strict"
        no_personal_data(page.content())
        assert not errors, errors
        refused = page.goto(f"{live.base}/wall/lobby")
        assert refused is not None
        assert refused.status == 403
