"""Every shipped wall in a real browser at its real size: it renders without a console error
with every panel filled; a posted event reaches the map, the lists and the gauges; the map
drills down and back; an operator acknowledges an alarm (audited) and the chime plays; the
banner shows while the server is down and the wall recovers by itself when it returns; no
phone or ID-card number reaches the DOM. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
import redis
from playwright.sync_api import Page

from feeds.access import Role
from feeds.audit import AuditQuery, read_audit
from feeds.keys import Keys
from feeds.redisconn import free_port
from feeds.refdata.model import Level
from feeds.refdata.registry import Registry
from feeds.settings import Settings
from feeds.users import User, UserStore
from tests.browser import chromium
from tests.helpers import issue_admin, issue_wall, report
from tests.live import Live, live_server

pytestmark = pytest.mark.browser

PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
REPORTER = {"name": "张小三", "phone": "13812341234", "id_number": "11010119900307123X"}
TITLE = "井盖缺失 回电13812341234 身份证11010119900307123X"
MASKED = "井盖缺失 回电138****1234"
KIOSK = "--autoplay-policy=no-user-gesture-required"  # what the kiosk setup uses (docs/wall.md)
PASSWORD = "correct horse battery"
#: Every panel filled: text in each, charts and maps drawn (``assets/wall.js``).
FILLED = "() => window.gridwall && window.gridwall.filled()"


@pytest.fixture
def fast(settings: Settings) -> Settings:
    wall = settings.wall.model_copy(update={"disconnected_after_s": 2.0, "health_s": 0.5})
    return settings.model_copy(update={"wall": wall})


@pytest.fixture
def live(fast: Settings, seeded: Registry, r: redis.Redis) -> Iterator[Live]:
    with live_server(fast) as server:
        yield server


def watch(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def open_wall(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(".gw-screen", timeout=20_000)
    page.wait_for_function(FILLED, timeout=20_000)


def masked(page: Page) -> None:
    html = page.content()
    assert not PHONE.search(html), PHONE.search(html)
    assert not ID_NUMBER.search(html), ID_NUMBER.search(html)
    assert "张小三" not in html


def steady_centre(page: Page, name: str) -> tuple[float, float]:
    """Where an area's label is once the map has stopped moving."""
    label = page.locator(".gw-label", has_text=name)
    before = None
    for _ in range(40):
        box = label.bounding_box()
        if box is not None and box == before:
            return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        before = box
        page.wait_for_timeout(150)
    raise AssertionError(f"the label of {name} never settled")


def post(live: Live, headers: dict[str, str], n: int, **kw: object) -> str:
    res = httpx.post(f"{live.base}/api/v1/events", json=report(n, **kw), headers=headers)
    assert res.status_code == 202, res.text
    (incident_id,) = res.json()["incident_ids"]
    return str(incident_id)


def test_county_3x2_six_screens(
    live: Live, r: redis.Redis, keys: Keys, seeded: Registry, artifacts: Path
) -> None:
    token = issue_wall(r, keys, "county-3x2")
    headers = issue_admin(r, keys)
    with chromium(KIOSK) as browser:
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        screens = []
        for n in range(1, 7):
            page = context.new_page()
            errors = watch(page)
            query = f"?token={token}" if n == 1 else ""  # one kiosk session for the wall
            open_wall(page, f"{live.base}/wall/county-3x2/screen/{n}{query}")
            screens.append((page, errors))
        backlog, map_screen, alarms, departments, newest, trends = (p for p, _e in screens)
        assert backlog.locator(".gw-gauge-value").first.text_content() == "0"
        assert map_screen.locator(".leaflet-marker-icon.gw-mk").count() == 0
        post(live, headers, 1, title=TITLE, urgency="urgent", reporter=REPORTER)
        newest.locator(".gw-row-title", has_text=MASKED).wait_for(timeout=10_000)
        backlog.wait_for_function(
            "() => document.querySelector('.gw-gauge-value').textContent === '1'"
        )
        map_screen.locator(".leaflet-marker-icon.gw-mk.urgent").wait_for(timeout=10_000)
        alarms.locator(".gw-alarm.k-urgent", has_text=MASKED).wait_for(timeout=10_000)
        street = seeded.path(seeded.locate(118.80, 31.93)).street
        name = seeded.area(street or "").name  # type: ignore[union-attr]
        label = map_screen.locator(".gw-label", has_text=name)
        assert label.locator("span").text_content() == "1"
        assert alarms.locator(".gw-ack-button").count() == 0  # a kiosk acknowledges nothing
        assert len(backlog.locator(".gw-brow").all()) == len(seeded.by_level(Level.STREET)) + 1
        assert departments.locator(".gw-dtable").count() == 1
        assert trends.locator(".gw-trend .main-svg").count() >= 1  # plotly draws under the CSP
        for n, (page, errors) in enumerate(screens, start=1):
            masked(page)
            page.screenshot(path=str(artifacts / f"wall-county-3x2-{n}.png"))
            assert not errors, (n, errors)


def test_single_4k_drills_down_and_back(
    live: Live, r: redis.Redis, keys: Keys, seeded: Registry, artifacts: Path
) -> None:
    street = seeded.by_level(Level.STREET)[0]
    community = seeded.children(street.code)[0]
    with chromium(KIOSK) as browser:
        page = browser.new_page(viewport={"width": 3840, "height": 2160})
        errors = watch(page)
        open_wall(page, f"{live.base}/wall/single-4k?token={issue_wall(r, keys, 'single-4k')}")
        body = page.evaluate("getComputedStyle(document.querySelector('.gw-screen')).fontSize")
        assert body == "48px"  # type scales with the canvas: 24 px at 1080p, 48 px at 4K
        key = page.evaluate("getComputedStyle(document.querySelector('.gw-gauge-value')).fontSize")
        assert float(key.removesuffix("px")) >= 96
        for code, shown in ((street.code, community.code), (community.code, None)):
            x, y = steady_centre(page, seeded.area(code).name)  # type: ignore[union-attr]
            page.mouse.click(x, y)  # on the area, where its label is (labels let clicks through)
            page.locator(".gw-crumb.current", has_text=seeded.area(code).name).wait_for()  # type: ignore[union-attr]
            if shown is not None:
                page.locator(f"path.gw-area-{shown}").wait_for()
                assert page.locator(f"path.gw-area-{street.code}").count() == 0
        assert page.locator(".gw-crumb").count() == 3  # county › street › community
        steady_centre(page, seeded.children(community.code)[0].name.removeprefix(community.name))
        page.screenshot(path=str(artifacts / "wall-single-4k-drilled.png"))
        page.locator(".gw-crumb").first.click()
        page.locator(f"path.gw-area-{street.code}").wait_for()
        assert page.locator(".gw-crumb").count() == 1
        masked(page)
        page.screenshot(path=str(artifacts / "wall-single-4k.png"))
        assert not errors, errors


def test_desk_acknowledges_chimes_and_survives_a_restart(
    fast: Settings, seeded: Registry, r: redis.Redis, keys: Keys, artifacts: Path
) -> None:
    UserStore(r, keys, fast.auth).add(User(name="zhang", role=Role.OPERATOR), PASSWORD)
    headers = issue_admin(r, keys)
    port = free_port()
    with chromium(KIOSK) as browser:
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        errors = watch(page)
        with live_server(fast, port=port) as live:
            page.goto(f"{live.base}/login?next=/wall/desk")
            page.get_by_label("用户名").fill("zhang")
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.wait_for_url(f"{live.base}/wall/desk")
            page.wait_for_function(FILLED, timeout=20_000)
            incident_id = post(live, headers, 1, title=TITLE, urgency="urgent", reporter=REPORTER)
            button = page.locator(f".gw-alarm[data-key='inc:{incident_id}'] .gw-ack-button")
            button.wait_for(timeout=10_000)
            page.wait_for_function("() => window.gridwall.state.chimes >= 1", timeout=10_000)
            button.click()
            done = page.locator(f".gw-alarm[data-key='inc:{incident_id}'] .gw-a-ack.done")
            done.wait_for(timeout=10_000)
            assert "zhang" in (done.text_content() or "")
            masked(page)
            page.screenshot(path=str(artifacts / "wall-desk.png"))
        page.wait_for_selector("#gw-banner.show", timeout=15_000)  # the server is gone
        assert page.locator("#gw-banner").text_content() == "连接已断开，正在重连…"
        page.screenshot(path=str(artifacts / "wall-desk-disconnected.png"))
        with live_server(fast, port=port) as live:
            page.wait_for_selector("#gw-banner:not(.show)", state="attached", timeout=30_000)
            post(live, headers, 2, title="路灯不亮 重连之后")
            page.locator(".gw-row-title", has_text="路灯不亮 重连之后").wait_for(
                state="attached", timeout=15_000
            )
        assert not errors, errors
    entries, _next = read_audit(r, keys, AuditQuery(action="alarm-ack"))
    assert [(e.actor, e.target) for e in entries] == [("zhang", f"inc:{incident_id}")]
