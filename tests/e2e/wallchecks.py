"""What every shipped wall must do in a real browser, as steps the layout tests share: all
panels there and filled, a posted event on the map, a list and the gauges, drill-down and
back, nothing personal in the DOM, the banner while the server is down and recovery after."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx2 as httpx
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from dashboard.wall.layouts import parse_layout
from gridwall.platform.settings import Settings
from gridwall.refdata.model import Level
from gridwall.refdata.registry import Registry
from layouts import layout_files
from tests.helpers import report
from tests.live import Live, live_server

PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
REPORTER = {"name": "张小三", "phone": "13812341234", "id_number": "11010119900307123X"}
TITLE = "井盖缺失 回电13812341234 身份证11010119900307123X"
MASKED = "井盖缺失 回电138****1234"
#: Every panel filled: text in each, charts and maps drawn (``assets/wall.js``).
FILLED = "() => window.gridwall && window.gridwall.filled()"
#: The smallest type of any text shown on the screen: [px, where, what].
SMALLEST_TEXT = """() => {
  const walker = document.createTreeWalker(
    document.querySelector(".gw-screen"), NodeFilter.SHOW_TEXT);
  let found = [1e9, "", ""], node;
  while ((node = walker.nextNode())) {
    const el = node.parentElement, text = node.textContent.trim();
    const box = el.getBoundingClientRect();
    if (!text || !box.width || !box.height || el.closest(".gw-off")) { continue; }
    const px = parseFloat(getComputedStyle(el).fontSize);
    if (px < found[0]) { found = [px, String(el.className.baseVal ?? el.className), text]; }
  }
  return found;
}"""
BANNER = {"zh-CN": "连接已断开，正在重连…"}
#: Text cut at the edge of its panel (a title's keys), of its chart (a bar's figure) or of its
#: column (a table's heads, which have no tooltip to fall back on).
CUT_TEXT = """() => {
  const outside = (el, box) => { const r = el.getBoundingClientRect();
    return r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1 ||
                           r.top < box.top - 1 || r.bottom > box.bottom + 1); };
  const cut = [];
  document.querySelectorAll('.gw-panel').forEach((panel) => {
    const box = panel.getBoundingClientRect();
    panel.querySelectorAll('.gw-panel-title span').forEach((el) => {
      if (el.textContent.trim() && outside(el, box)) { cut.push(el.textContent.trim()); }
    });
  });
  document.querySelectorAll('.gw-bhead > span, .gw-dhead > span').forEach((el) => {
    if (el.textContent.trim() && el.scrollWidth > el.clientWidth + 1) {
      cut.push(el.textContent.trim());
    }
  });
  document.querySelectorAll('.gw-graph').forEach((graph) => {
    const box = graph.getBoundingClientRect();
    graph.querySelectorAll('text').forEach((el) => {
      if (el.textContent.trim() && outside(el, box)) { cut.push(el.textContent.trim()); }
    });
  });
  return cut;
}"""


def watch(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def open_wall(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(".gw-screen", timeout=20_000)
    page.wait_for_function(FILLED, timeout=20_000)


def every_panel(pages: list[Page], layout: str) -> None:
    """Each screen holds one slot per panel of its layout file (rotating ones included), each
    of the type the file names, with no scrollbar on the page; no text shown is smaller than
    24 px and no key figure smaller than 48 px on a 1080p screen read at 5 m (scaled with
    the canvas and the layout's density: 4K doubles them, the duty desk is denser)."""
    spec = parse_layout(layout_files()[layout])
    assert len(pages) == len(spec.screens)
    for page, screen in zip(pages, spec.screens, strict=True):
        slots = page.eval_on_selector_all(
            ".gw-screen .gw-slot",
            "els => els.map(e => [...e.classList].find(c => c.startsWith('gw-slot-')))",
        )
        assert sorted(slots) == sorted(f"gw-slot-{p.type}" for p in screen.all_panels())
        overflow = page.evaluate(
            "() => [document.documentElement.scrollWidth > innerWidth,"
            " document.documentElement.scrollHeight > innerHeight]"
        )
        assert overflow == [False, False], (layout, overflow)
        scale = spec.density * spec.canvas.height / 1080  # 24 px body on a 1080p wall
        smallest = page.evaluate(SMALLEST_TEXT)
        assert smallest[0] >= round(24 * scale), (layout, smallest)
        figures = page.eval_on_selector_all(
            ".gw-gauge-value, .gw-hval",
            "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))",
        )
        assert min(figures, default=99) >= round(48 * scale), (layout, figures)
        cut = page.evaluate(CUT_TEXT)
        assert cut == [], (layout, cut)


def masked(page: Page) -> None:
    html = page.content()
    assert not PHONE.search(html), PHONE.search(html)
    assert not ID_NUMBER.search(html), ID_NUMBER.search(html)
    assert "张小三" not in html


def post(live: Live, headers: dict[str, str], n: int, **kw: object) -> str:
    res = httpx.post(
        f"{live.base}/api/v1/events", json=report(n, **kw), headers=headers, timeout=30
    )  # a shared 2-core machine with six Chromium pages open
    assert res.status_code == 202, res.text
    (incident_id,) = res.json()["incident_ids"]
    return str(incident_id)


def showing(pages: list[Page], selector: str) -> list[Page]:
    found = [p for p in pages if p.locator(selector).count()]
    assert found, f"no screen has {selector}"
    return found


def event_everywhere(pages: list[Page], live: Live, headers: dict[str, str]) -> str:
    """Post an urgent report with a reporter's phone and ID number; it reaches the map (an
    urgent marker, its street's count), the newest-incidents list (masked), the alarm strip
    and the backlog gauges, on whichever screens show them."""
    gauges = showing(pages, ".gw-gauge-value")
    assert [p.locator(".gw-gauge-value").first.text_content() for p in gauges] == ["0"] * len(
        gauges
    )
    incident_id = post(live, headers, 1, title=TITLE, urgency="urgent", reporter=REPORTER)
    for page in showing(pages, ".gw-leaflet"):
        page.locator(".leaflet-marker-icon.gw-mk.urgent").wait_for(timeout=10_000)
    for page in showing(pages, ".gw-slot-incidents"):
        page.locator(".gw-row-title", has_text=MASKED).wait_for(state="attached", timeout=10_000)
    for page in showing(pages, ".gw-slot-alarms"):
        page.locator(".gw-alarm.k-urgent", has_text=MASKED).wait_for(timeout=10_000)
    for page in gauges:
        page.wait_for_function(
            "() => document.querySelector('.gw-gauge-value').textContent === '1'",
            timeout=10_000,
        )
    return incident_id


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


def drill_down_and_back(page: Page, registry: Registry, depth: int = 1) -> None:
    """Click a street (and, with ``depth`` 2, one of its communities): its children replace
    it with a breadcrumb per level; the county's crumb brings the streets back."""
    street = registry.by_level(Level.STREET)[0]
    codes = [street.code]
    if depth > 1:
        codes.append(registry.children(street.code)[0].code)
    for code in codes:
        area = registry.area(code)
        assert area is not None
        x, y = steady_centre(page, area.name)
        page.mouse.click(x, y)  # on the area, where its label is (labels let clicks through)
        page.locator(".gw-crumb.current", has_text=area.name).wait_for()
        child = registry.children(code)[0].code
        page.locator(f"path.gw-area-{child}").wait_for()
        assert page.locator(f"path.gw-area-{code}").count() == 0
    assert page.locator(".gw-crumb").count() == len(codes) + 1


def back_to_county(page: Page, registry: Registry) -> None:
    page.locator(".gw-crumb").first.click()
    street = registry.by_level(Level.STREET)[0]
    page.locator(f"path.gw-area-{street.code}").wait_for()
    assert page.locator(".gw-crumb").count() == 1
    steady_centre(page, street.name)
    labels_apart(page)  # hidden as soon as the map moved them, not at the next clock tick


@contextmanager
def restarted(
    pages: list[Page], settings: Settings, port: int, headers: dict[str, str]
) -> Iterator[Live]:
    """Call once the server on ``port`` has stopped: every screen shows the banner; a new
    server on the same port clears it and a report posted then reaches the lists."""
    for page in pages:
        page.wait_for_selector("#gw-banner.show", timeout=15_000)
        assert page.locator("#gw-banner").text_content() == BANNER["zh-CN"]
    with live_server(settings, port=port) as live:
        for page in pages:
            page.wait_for_selector("#gw-banner:not(.show)", state="attached", timeout=30_000)
        post(live, headers, 2, title="路灯不亮 重连之后")
        for page in showing(pages, ".gw-slot-incidents, .gw-slot-ticker"):
            page.locator(".gw-row-title, .gw-tick", has_text="路灯不亮 重连之后").first.wait_for(
                state="attached", timeout=15_000
            )
        yield live


#: The boxes of the map labels shown (not hidden by the declutter), in screen pixels.
SHOWN_LABELS = """() => Array.from(document.querySelectorAll('.gw-label:not(.gw-hidden)'))
  .filter((el) => el.offsetParent !== null)
  .map((el) => { const r = el.getBoundingClientRect();
                 return [el.textContent, r.left, r.top, r.right, r.bottom]; })"""


def labels_apart(page: Page) -> None:
    """No two map labels shown overlap (each can be read from across the room)."""
    boxes = page.evaluate(SHOWN_LABELS)
    assert boxes, "no map label shown"
    for i, (name, left, top, right, bottom) in enumerate(boxes):
        for other, l2, t2, r2, b2 in boxes[i + 1 :]:
            assert not (left < r2 and l2 < right and top < b2 and t2 < bottom), (name, other)


#: True once a marker stands where the named area's label would be and the label, shown, has
#: stepped aside from every marker.
LABEL_ASIDE = """(name) => {
  const label = Array.from(document.querySelectorAll('.gw-label'))
    .find((el) => el.querySelector('b') && el.querySelector('b').textContent === name);
  if (!label || label.classList.contains('gw-hidden')) { return false; }
  const overlap = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom &&
                            b.top < a.bottom;
  const r = label.getBoundingClientRect();
  const dy = parseFloat(label.style.marginTop) || 0;
  const base = { left: r.left, right: r.right, top: r.top - dy, bottom: r.bottom - dy };
  const marks = Array.from(document.querySelectorAll('.gw-cluster span, .gw-mk i'))
    .map((el) => el.getBoundingClientRect());
  return marks.some((m) => overlap(base, m)) && !marks.some((m) => overlap(r, m));
}"""


def a_label_steps_aside(
    page: Page, live: Live, headers: dict[str, str], registry: Registry
) -> None:
    """A case reported where a street's label stands: the label moves just above or below the
    case's marker, so both can be read, instead of covering it."""
    street = registry.by_level(Level.STREET)[0]
    assert street.centroid is not None
    lon, lat = street.centroid
    post(live, headers, 77, location={"lon": lon, "lat": lat, "crs": "wgs84"}, title="标签让位")
    try:
        page.wait_for_function(LABEL_ASIDE, arg=street.name, timeout=15_000)
    except PlaywrightTimeout as exc:
        raise AssertionError(f"the label of {street.name} stayed over the case's marker") from exc
