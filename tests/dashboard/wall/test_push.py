"""What one screen is sent when a report arrives, on a real Redis: partial updates only (no
area geometry, no whole list), a few kilobytes where the first render is hundreds."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import redis
from dash import Patch
from plotly.utils import PlotlyJSONEncoder

from dashboard.queries import Queries
from dashboard.wall.app import WallView, resolve_page
from dashboard.wall.hub import PushHub
from dashboard.wall.mapdata import Geometry
from gridwall.platform.settings import Settings
from gridwall.refdata.registry import Registry
from gridwall.runtime import Runtime
from tests.dashboard.wall.test_hub import post, recent
from tests.feeds.feedkit import drain


def size(value: Any) -> int:
    return len(json.dumps(value, cls=PlotlyJSONEncoder))


async def pushed_once(rt: Runtime, r: redis.Redis, settings: Settings, hub: PushHub) -> None:
    sub = hub.subscribe()
    old = await hub.snapshot()
    while (got := await sub.wait(1.5)) is not None:  # the first background refreshes
        old = got[0]
    view = WallView(rt, resolve_page(rt, "/wall/desk", ""), Geometry(), False)
    rendered = json.dumps(view.render(old), cls=PlotlyJSONEncoder)
    assert "Polygon" in rendered  # the areas go with the first render
    post(rt, recent(0, title="井盖缺失 推送", urgency="urgent"))
    await asyncio.to_thread(drain, r, settings)
    got = None
    while got is None or got[0].open_count == old.open_count:
        got = await asyncio.wait_for(sub.wait(5), 10)
    new, changes = got
    props = view.diff(old, new, changes)
    lists = [p for cid, p in props.items() if cid.endswith(("-list", "-line"))]
    assert len(lists) == 3  # the newest incidents, the alarm strip, the ticker
    assert all(isinstance(p["children"], Patch) for p in lists)  # shifted, not resent
    for cid, p in props.items():
        assert "Polygon" not in json.dumps(p, cls=PlotlyJSONEncoder), cid  # no area shape
    sizes = {cid: size(p) for cid, p in props.items()}
    assert sum(sizes.values()) < len(rendered) / 10, sizes


def test_a_report_reaches_a_screen_as_patches(
    settings: Settings, seeded: Registry, r: redis.Redis
) -> None:
    async def scenario() -> None:
        rt = Runtime.create(settings, settings.redis_url or "")
        post(rt, *(recent(n, title=f"占道经营 {n}", urgency="urgent") for n in range(1, 13)))
        await asyncio.to_thread(drain, r, settings)
        hub = PushHub(Queries(rt), coalesce_ms=50, resync_s=60, recent=20)
        hub.start()
        try:
            await pushed_once(rt, r, settings, hub)
        finally:
            await hub.stop()
            await rt.aclose()

    asyncio.run(scenario())
