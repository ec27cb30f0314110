"""Every shipped wall in a real browser at its real size (``tests/e2e/wallchecks.py``): it
renders without a console error with every panel there and filled and no scrollbar; a posted
event reaches the map, the lists and the gauges; the map drills down and back; the banner
shows while the server is down and the wall recovers by itself when it returns; no phone or
ID-card number reaches the DOM. Besides, per layout: a kiosk has no 确认 button (county-3x2),
type scales with a 4K canvas (single-4k), an operator acknowledges an alarm, audited, and the
chime plays (desk). Screenshots go to the artifacts folder (``GRIDWALL_TEST_ARTIFACTS``)."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from gridwall.access.audit import AuditQuery, read_audit
from gridwall.access.roles import Role
from gridwall.access.users import User, UserStore
from gridwall.platform.keys import Keys
from gridwall.platform.redisconn import free_port
from gridwall.platform.settings import Settings
from gridwall.refdata.model import Level
from gridwall.refdata.registry import Registry
from tests.browser import chromium
from tests.e2e.wallchecks import (
    FILLED,
    a_label_steps_aside,
    back_to_county,
    drill_down_and_back,
    event_everywhere,
    every_panel,
    labels_apart,
    masked,
    open_wall,
    restarted,
    watch,
)
from tests.helpers import issue_admin, issue_wall
from tests.live import live_server

pytestmark = pytest.mark.browser

KIOSK = "--autoplay-policy=no-user-gesture-required"  # what the kiosk setup uses (docs/wall.md)
PASSWORD = "correct horse battery"


@pytest.fixture
def fast(settings: Settings) -> Settings:
    wall = settings.wall.model_copy(update={"disconnected_after_s": 2.0, "health_s": 0.5})
    return settings.model_copy(update={"wall": wall})


def test_county_3x2_six_screens(
    fast: Settings, r: redis.Redis, keys: Keys, seeded: Registry, artifacts: Path
) -> None:
    token = issue_wall(r, keys, "county-3x2")
    headers = issue_admin(r, keys)
    port = free_port()
    with chromium(KIOSK) as browser:
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        with live_server(fast, port=port) as live:
            screens = []
            for n in range(1, 7):
                page = context.new_page()
                errors = watch(page)
                query = f"?token={token}" if n == 1 else ""  # one kiosk session for the wall
                open_wall(page, f"{live.base}/wall/county-3x2/screen/{n}{query}")
                screens.append((page, errors))
            pages = [p for p, _e in screens]
            every_panel(pages, "county-3x2")
            event_everywhere(pages, live, headers)
            backlog, map_screen, alarms, departments, _newest, trends = pages
            street = seeded.path(seeded.locate(118.80, 31.93)).street
            name = seeded.area(street or "").name  # type: ignore[union-attr]
            label = map_screen.locator(".gw-label", has_text=name)
            assert label.locator("span").text_content() == "1"
            assert alarms.locator(".gw-ack-button").count() == 0  # a kiosk acknowledges nothing
            assert len(backlog.locator(".gw-brow").all()) == len(seeded.by_level(Level.STREET)) + 1
            assert departments.locator(".gw-dtable").count() == 1
            assert trends.locator(".gw-trend .main-svg").count() >= 1  # plotly under the CSP
            for n, page in enumerate(pages, start=1):
                masked(page)
                page.screenshot(path=str(artifacts / f"wall-county-3x2-{n}.png"))
            drill_down_and_back(map_screen, seeded)
            back_to_county(map_screen, seeded)
        with restarted(pages, fast, port, headers):
            pass
        for n, (_page, errors) in enumerate(screens, start=1):
            assert not errors, (n, errors)


def test_single_4k_drills_down_and_back(
    fast: Settings, r: redis.Redis, keys: Keys, seeded: Registry, artifacts: Path
) -> None:
    headers = issue_admin(r, keys)
    port = free_port()
    with chromium(KIOSK) as browser:
        page = browser.new_page(viewport={"width": 3840, "height": 2160})
        errors = watch(page)
        with live_server(fast, port=port) as live:
            open_wall(page, f"{live.base}/wall/single-4k?token={issue_wall(r, keys, 'single-4k')}")
            every_panel([page], "single-4k")
            body = page.evaluate("getComputedStyle(document.querySelector('.gw-screen')).fontSize")
            assert body == "48px"  # type scales with the canvas: 24 px at 1080p, 48 px at 4K
            key = page.evaluate(
                "getComputedStyle(document.querySelector('.gw-gauge-value')).fontSize"
            )
            assert float(key.removesuffix("px")) >= 96
            event_everywhere([page], live, headers)
            drill_down_and_back(page, seeded, depth=2)
            page.screenshot(path=str(artifacts / "wall-single-4k-drilled.png"))
            back_to_county(page, seeded)
            masked(page)
            page.screenshot(path=str(artifacts / "wall-single-4k.png"))
        with restarted([page], fast, port, headers):
            pass
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
            every_panel([page], "desk")
            incident_id = event_everywhere([page], live, headers)
            button = page.locator(f".gw-alarm[data-key='inc:{incident_id}'] .gw-ack-button")
            button.wait_for(timeout=10_000)
            page.wait_for_function("() => window.gridwall.state.chimes >= 1", timeout=10_000)
            button.click()
            done = page.locator(f".gw-alarm[data-key='inc:{incident_id}'] .gw-a-ack.done")
            done.wait_for(timeout=10_000)
            assert "zhang" in (done.text_content() or "")
            drill_down_and_back(page, seeded)
            back_to_county(page, seeded)
            a_label_steps_aside(page, live, headers, seeded)
            masked(page)
            page.screenshot(path=str(artifacts / "wall-desk.png"))
        with restarted([page], fast, port, headers):
            labels_apart(page)  # the map drawn afresh is decluttered before it is painted
            page.screenshot(path=str(artifacts / "wall-desk-reconnected.png"))
            # Dash's undo history gains about two entries a second (the clock interval, the
            # heartbeat); the wall keeps it short so weeks of running do not fill the heap.
            page.wait_for_function("() => performance.now() > 25000", timeout=30_000)
            kept = page.evaluate("() => window.gridwall.historyLength()")
            assert 0 <= kept <= 25, kept  # 20 kept, plus what came since the last trim
        assert not errors, errors
    entries, _next = read_audit(r, keys, AuditQuery(action="alarm-ack"))
    assert [(e.actor, e.target) for e in entries] == [("zhang", f"inc:{incident_id}")]
