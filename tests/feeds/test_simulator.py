"""The simulator drives realistic lifecycles: every state shows, and no step is illegal."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import redis

from feeds.intake import Intake
from gridwall.engine.incident import Incident
from gridwall.engine.sla.clock import SlaClock
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings, SlaSettings
from gridwall.refdata.model import Department
from gridwall.refdata.registry import Registry
from gridwall.sim.simulator import Simulator
from tests.helpers import drain

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 27, 15, 0, tzinfo=TZ)


def incidents(r: redis.Redis, keys: Keys) -> list[Incident]:
    ids = [i.decode() for i in r.zrange(keys.reported_index, 0, -1)]
    return [Incident.model_validate_json(d) for d in r.mget([keys.incident(i) for i in ids])]


def settle(r: redis.Redis, settings: Settings, keys: Keys, now: datetime) -> None:
    clock = SlaClock(r, keys, SlaSettings(), TZ)
    drain(r, settings)
    while clock.tick(now):
        drain(r, settings)


def test_a_backfilled_and_live_county_shows_every_state(
    r: redis.Redis, keys: Keys, seeded: Registry, settings: Settings
) -> None:
    sim = Simulator(seeded, Intake(r, keys, TZ, 1000), seed=11, rate=0, pace=600)
    assert sim.backfill(NOW, 150, 12) == 150
    settle(r, settings, keys, NOW)
    found = incidents(r, keys)
    statuses = Counter(i.status.value for i in found)
    assert {"dispatched", "handling", "reported_back", "closed", "evaluated"} <= set(statuses)
    assert sum(i.counters.send_backs for i in found) > 0
    assert sum(i.counters.reworks for i in found) > 0
    assert sum(i.counters.extensions for i in found) > 0
    sla = {k.decode(): int(v) for k, v in r.hgetall(keys.sla_counts).items()}
    assert sla.get("overdue", 0) > 0
    assert len({i.lead for i in found if i.lead}) >= 5  # departments of the fallback list
    assert r.xlen(keys.deadletter) == 0  # every simulated step was legal
    # The rest of the backfilled cases continues live, compressed by the pace.
    later = NOW + timedelta(hours=3)
    sim.step(later)
    settle(r, settings, keys, later)
    assert r.xlen(keys.deadletter) == 0
    assert Counter(i.status.value for i in incidents(r, keys)) != statuses


def test_live_cases_follow_their_scripts_with_registry_departments(
    r: redis.Redis, keys: Keys, demo_registry: Registry, settings: Settings
) -> None:
    from gridwall.refdata.registry import store_registry  # noqa: PLC0415

    registry = Registry(
        demo_registry.county,
        demo_registry.areas.values(),
        demo_registry.categories.values(),
        departments=[Department(code=f"D{n}", name=f"部门{n}") for n in range(4)],
    )
    store_registry(r, keys, registry)
    sim = Simulator(registry, Intake(r, keys, TZ, 1000), seed=3, rate=0, pace=3600)
    for n in range(40):
        raw = sim.report(NOW)
        incident_id = sim.submit(raw, NOW)
        assert incident_id is not None
        sim.follow_ups(incident_id, raw["category"], NOW.timestamp() + n)
    for minutes in range(0, 24 * 60, 30):
        sim.step(NOW + timedelta(minutes=minutes))
        drain(r, settings)
    found = incidents(r, keys)
    assert {i.lead for i in found if i.lead} <= {"D0", "D1", "D2", "D3"}
    assert sum(i.status.value in ("closed", "evaluated") for i in found) > 20
    assert r.xlen(keys.deadletter) == 0
