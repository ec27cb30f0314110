"""The push hub on a real Redis: what a snapshot holds, a push after a change, a burst
coalesced, an acknowledgement recorded and audited, video alarms from the alarm-changes
stream, the department board from dashboard.metrics."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import redis

from dashboard.metrics import Period
from dashboard.queries import Queries
from dashboard.wall.acks import BadItem, acknowledge
from dashboard.wall.hub import PushHub
from dashboard.wall.snapshot import board_part, department_board
from feeds.alarms.devices import DeviceAlarm, Identity
from feeds.alarms.intake import AlarmIntake
from feeds.intake import Intake
from gridwall.access.audit import AuditQuery, read_audit
from gridwall.access.roles import Principal, Role
from gridwall.contract.events import EventIn
from gridwall.contract.media import MediaStore
from gridwall.engine.sla.clock import SlaClock
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings, SlaSettings
from gridwall.refdata.registry import Registry
from gridwall.runtime import Runtime
from gridwall.web.policy import Auth
from tests.dashboard.test_metrics import INCIDENTS, NOW, PERIOD  # the golden dataset
from tests.feeds.feedkit import drain
from tests.helpers import report

TZ = ZoneInfo("Asia/Shanghai")
OPERATOR = Auth(principal=Principal(name="zhang", role=Role.OPERATOR), via="session")


def post(rt: Runtime, *events: dict[str, Any]) -> list[str]:
    now = datetime.now(TZ)
    registry = rt.registry.get()
    normalized = [
        Intake.for_runtime(rt).normalize(EventIn.model_validate(e), registry, now) for e in events
    ]
    return [res.incident_id for res in rt.inbox.enqueue(normalized)]


def hub_of(rt: Runtime) -> PushHub:
    return PushHub(Queries(rt), coalesce_ms=50, resync_s=60, recent=20)


def recent(n: int, **kw: Any) -> dict[str, Any]:
    at = datetime.now(TZ).replace(microsecond=0) - timedelta(minutes=n)
    return report(n, reported_at=at.isoformat(), **kw)


def test_a_snapshot_holds_what_every_panel_shows(
    settings: Settings, seeded: Registry, r: redis.Redis, keys: Keys
) -> None:
    async def scenario() -> None:
        rt = Runtime.create(settings, settings.redis_url or "")
        old = report(1, reported_at=(datetime.now(TZ) - timedelta(days=3)).isoformat())
        first, second, third = post(rt, old, recent(2, urgency="urgent"), recent(3))
        drain(r, settings)
        SlaClock(r, keys, SlaSettings(), TZ).tick()  # the old report's accept stage: overdue
        drain(r, settings)
        hub = hub_of(rt)
        await hub.builder.load()
        snap = await hub.builder.build()
        grid, street = seeded.locate(118.80, 31.93), None
        assert grid is not None
        street = rt.registry.get().path(grid).street
        assert snap.open_count == 3
        assert snap.by_area[street or ""] == 3
        assert snap.sla["overdue"] == 1
        assert snap.area_sla[grid][1] == 1
        assert snap.markers[first][2] == "o"
        assert snap.markers[second][3] == 1
        assert [i.kind for i in snap.alarms] == ["urgent", "breach"]  # newest first
        assert snap.alarms[0].key == f"inc:{second}"
        assert {t.key for t in snap.ticker} >= {f"report:{i}" for i in (first, second, third)}
        assert snap.trend is not None
        assert sum(snap.trend.today) == 3
        assert snap.trend.categories == {"12": 3}
        await hub.builder.stop()
        await rt.aclose()

    asyncio.run(scenario())


def test_a_change_is_pushed_to_every_subscriber(
    settings: Settings, seeded: Registry, r: redis.Redis
) -> None:
    async def scenario() -> None:
        rt = Runtime.create(settings, settings.redis_url or "")
        hub = hub_of(rt)
        hub.start()
        first, second = hub.subscribe(), hub.subscribe()
        snap = await hub.snapshot()
        assert snap.open_count == 0
        (incident_id,) = post(rt, recent(5, title="围墙开裂 推送测试"))
        await asyncio.to_thread(drain, r, settings)
        for sub in (first, second):
            got = None
            while got is None or got[0].open_count == 0:
                got = await asyncio.wait_for(sub.wait(5), 10)
            new, changes = got
            assert [c.id for c in changes] == [incident_id]
            assert new.recent[0]["title"] == "围墙开裂 推送测试"
            assert "reporter" not in new.recent[0]
        assert hub.subscribers == 2
        first.close()
        assert hub.subscribers == 1
        await hub.stop()
        await rt.aclose()

    asyncio.run(scenario())


def test_a_burst_is_coalesced_into_a_few_pushes(
    settings: Settings, seeded: Registry, r: redis.Redis
) -> None:
    """Reports processed one by one for a second or two reach a screen in at most one push
    per ``coalesce_ms`` (250: four a second), every change included."""

    async def scenario() -> None:
        rt = Runtime.create(settings, settings.redis_url or "")
        hub = PushHub(Queries(rt), coalesce_ms=250, resync_s=60, recent=20)
        hub.start()
        sub = hub.subscribe()
        await hub.snapshot()
        start_ticks, started = hub.ticks, time.monotonic()
        posted: list[str] = []
        for n in range(24):
            posted += post(rt, recent(n, title=f"占道经营 {n}"))
            await asyncio.to_thread(drain, r, settings)
            await asyncio.sleep(0.05)
        seen: list[str] = []
        pushes = 0
        while len(seen) < len(posted):
            got = await asyncio.wait_for(sub.wait(5), 10)
            if got is not None:
                pushes += 1
                seen += [c.id for c in got[1]]
        elapsed = time.monotonic() - started
        assert sorted(seen) == sorted(posted)
        assert hub.ticks - start_ticks <= elapsed / 0.25 + 2, (hub.ticks - start_ticks, elapsed)
        assert pushes < len(posted) / 2  # 24 reports, far fewer pushes
        await hub.stop()
        await rt.aclose()

    asyncio.run(scenario())


def test_an_acknowledgement_is_kept_shown_and_audited(
    settings: Settings, seeded: Registry, r: redis.Redis, keys: Keys
) -> None:
    async def scenario() -> None:
        rt = Runtime.create(settings, settings.redis_url or "")
        (incident_id,) = post(rt, recent(1, urgency="urgent"))
        drain(r, settings)
        hub = hub_of(rt)
        await hub.builder.load()
        item = f"inc:{incident_id}"
        assert await acknowledge(rt, OPERATOR, item, "10.0.0.9")
        late = Auth(principal=Principal(name="li", role=Role.ADMIN), via="bearer")
        assert not await acknowledge(rt, late, item)  # the first acknowledgement stands
        with pytest.raises(BadItem):
            await acknowledge(rt, OPERATOR, "rm -rf /")
        snap = await hub.builder.build()
        (shown,) = snap.alarms
        assert shown.ack is not None
        assert shown.ack.by == "zhang"
        assert r.ttl(keys.alarm_ack(item)) > 0
        assert [f[b"item"] for _id, f in r.xrange(keys.acks)] == [item.encode()]
        entries, _next = read_audit(r, keys, AuditQuery(action="alarm-ack"))
        outcomes = {(e.actor, e.outcome, e.via, e.remote) for e in entries}
        assert outcomes == {("zhang", "ok", "session", "10.0.0.9"),
                            ("li", "already-acknowledged", "bearer", "")}  # fmt: skip
        await hub.builder.stop()
        await rt.aclose()

    asyncio.run(scenario())


def test_video_alarms_come_from_the_alarm_changes_stream(
    settings: Settings, seeded: Registry, r: redis.Redis
) -> None:
    camera = next(c for c in seeded.cameras.values() if c.location and c.identities)
    ident = Identity(camera.identities[0].kind, camera.identities[0].value)

    async def scenario() -> None:
        rt = Runtime.create(settings, settings.redis_url or "")
        hub = hub_of(rt)
        hub.start()
        sub = hub.subscribe()
        await hub.snapshot()
        intake = AlarmIntake(r, rt.keys, TZ, settings.alarms,
                             MediaStore(settings.data_dir / "s", 10_000, 100_000))  # fmt: skip
        alarm = DeviceAlarm(identities=(ident,), alarm_type="fire", source_event_id="fire-1")
        intake.take(intake.plan("cams", [alarm], b"<fire/>", rt.registry.get(),
                                received=datetime.now(TZ)))  # fmt: skip
        await asyncio.to_thread(drain, r, settings)
        got = None
        while got is None or not got[0].video:
            got = await asyncio.wait_for(sub.wait(5), 10)
        snap = got[0]
        ((alarm_id, (lon, lat, priority, flash_until)),) = snap.video.items()
        assert (lon, lat) == (round(camera.location[0], 5), round(camera.location[1], 5))
        assert priority == 1
        assert flash_until > datetime.now(TZ).timestamp()
        strip_item = next(i for i in snap.alarms if i.kind == "video")
        assert strip_item.key == f"cam:{alarm_id}"
        assert camera.name in strip_item.title
        assert any(t.kind == "video" for t in snap.ticker)
        await hub.stop()
        # a restarted server's ticker still shows the alarm (from the alarm-changes stream)
        restarted = hub_of(rt)
        await restarted.builder.load()
        ticker = (await restarted.builder.build()).ticker
        assert [t.title for t in ticker if t.kind == "video"] == [f"烟火 · {camera.name}"]
        await restarted.builder.stop()
        await rt.aclose()

    asyncio.run(scenario())


def test_the_department_board_comes_from_the_metrics_module() -> None:
    docs = [i.model_dump_json().encode() for i in INCIDENTS]
    period = Period(PERIOD.start, PERIOD.end)
    rows = department_board([board_part(docs, NOW)], period, min_sample=10)
    # read a few documents at a time (as the wall does, to bound its memory): the same board
    chunked = [board_part(docs[i : i + 7], NOW) for i in range(0, len(docs), 7)]
    assert len(chunked) > 2
    assert department_board(chunked, period, min_sample=10) == rows
    assert rows
    assert {r["role"] for r in rows} == {"lead"}
    ranked = [r["rank"] for r in rows if r["rank"] is not None]
    assert ranked == sorted(ranked)
    assert ranked[0] == 1
    assert list(rows[: len(ranked)]) == [r for r in rows if r["ranked"]]  # ranked ones first
    assert all(r["due"] < 10 for r in rows if not r["ranked"])
