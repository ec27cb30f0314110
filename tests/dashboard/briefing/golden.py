"""A golden day: incidents of ten days driven through real lifecycles up to the night after
the day, stored in a real Redis as the processor would leave them, archived by the real
archive. Tests recompute every figure of the briefing from these incidents, plainly."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import redis

from gridwall.contract.events import Action, Point, Report, Reporter, Urgency
from gridwall.engine.cases.lifecycle import apply
from gridwall.engine.cases.rules import Rules, default_rules
from gridwall.engine.incident import Incident
from gridwall.history.archive import Archiver
from gridwall.history.store import HistoryStore
from gridwall.platform.keys import Keys
from gridwall.refdata.model import Level
from gridwall.refdata.registry import Registry
from gridwall.sim.simlife import Departments, script

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 24)  # a Tuesday
AS_OF = datetime.combine(DAY + timedelta(days=1), time(0, 30), TZ)
FIRST = DAY - timedelta(days=10)
SOURCES = ("gridapp", "hotline", "video", "platform")
PHONE = "13912345678"
ID_NUMBER = "32011519850101002X"
NAME = "欧阳修远"
#: The day's counters as the alarm feeds leave them in ``stats:<day>``.
ALARM_COUNTERS = {"alarms:received": 1234, "alarms:new": 210, "alarms:unknown": 7}


@dataclass
class Golden:
    incidents: list[Incident]
    registry: Registry
    cameras: dict[str, int]


def _report(
    rng: random.Random, n: int, registry: Registry, grids: list[str], categories: list[str]
) -> Report:
    day = FIRST + timedelta(days=rng.randrange(11))
    reported = datetime.combine(day, time(rng.randrange(7, 22), rng.randrange(60)), TZ)
    source = rng.choice(SOURCES)
    grid = rng.choice(grids[:12] if rng.random() < 0.5 else grids)  # a few hot grids
    area = registry.area(grid)
    assert area is not None
    assert area.centroid is not None
    late = rng.random() < 0.06
    received = reported + (timedelta(hours=30) if late else timedelta(minutes=rng.randrange(1, 9)))
    return Report(
        event_id=f"g{n}",
        source=source,
        source_event_id=f"alarm:a{n}" if source == "video" else f"s{n}",
        received_at=received,
        incident_id=f"320115-{reported:%Y%m%d}-{10000 + n}",
        category=rng.choice(categories),
        urgency=Urgency.URGENT if rng.random() < 0.1 else Urgency.NORMAL,
        area=registry.path(grid),
        location=None if rng.random() < 0.15 else Point(lon=area.centroid[0], lat=area.centroid[1]),
        reported_at=reported,
        title=f"井盖缺失 联系{PHONE}",
        description=f"上报人{NAME} 身份证{ID_NUMBER}",
        reporter=Reporter(name=NAME, phone=PHONE, id_number=ID_NUMBER),
    )


def _drive(report: Report, rules: Rules, depts: Departments, rng: random.Random) -> Incident:
    incident = apply(None, report, report.received_at, rules).incident
    assert incident is not None
    at = report.received_at
    for i, step in enumerate(script(rng, depts, report.category)):
        at += timedelta(seconds=step.after)
        if at >= AS_OF:
            break
        name = f"{report.event_id}-{i}"
        action = Action(
            event_id=name, source="gold", source_event_id=name, received_at=at,
            incident_id=report.incident_id, action=step.action, actor="x", at=at,
            department=step.department, params=step.params,
        )  # fmt: skip
        incident = apply(incident, action, at, rules).incident or incident
    return incident


def golden_incidents(registry: Registry, count: int = 480, seed: int = 11) -> list[Incident]:
    rng = random.Random(seed)
    rules = Rules(default_rules().book, registry)
    depts = Departments.of(registry, random.Random(seed))
    grids = [a.code for a in registry.by_level(Level.GRID) if a.centroid]
    categories = sorted(c.code for c in registry.categories.values() if c.parent)[:30]
    found: list[Incident] = []
    n = 0
    while len(found) < count:
        n += 1
        report = _report(rng, n, registry, grids, categories)
        found.append(_drive(report, rules, depts, rng))
        if rng.random() < 0.05:  # the same thing reported again a few minutes later
            n += 1
            twin = report.model_copy(update={
                "event_id": f"g{n}", "source_event_id": f"s{n}",
                "incident_id": f"320115-{report.reported_at:%Y%m%d}-{10000 + n}",
                "reported_at": report.reported_at + timedelta(minutes=7),
                "received_at": report.reported_at + timedelta(minutes=8),
            })  # fmt: skip
            found.append(_drive(twin, rules, depts, rng))
    return found


def store_in_redis(client: redis.Redis, keys: Keys, incidents: list[Incident]) -> None:
    """The documents and the indexes the archive reads, as the processor keeps them."""
    pipe = client.pipeline(transaction=False)
    for inc in incidents:
        pipe.set(keys.incident(inc.id), inc.model_dump_json(exclude_defaults=True))
        pipe.zadd(keys.updated_index, {inc.id: inc.updated_at.timestamp()})
        pipe.zadd(keys.reported_index, {inc.id: inc.reported_at.timestamp()})
        pipe.hset(keys.dedup, f"{inc.source}|{inc.source_event_id}", inc.id)
        if inc.is_open:
            pipe.zadd(keys.open_index, {inc.id: inc.reported_at.timestamp()})
        elif inc.closed_at is not None:
            pipe.zadd(keys.closed_index, {inc.id: inc.closed_at.timestamp()})
    pipe.execute()


def build_golden(
    client: redis.Redis, keys: Keys, registry: Registry, folder: HistoryStore
) -> Golden:
    """Store, count the day's alarms, archive: the history of the golden day."""
    incidents = golden_incidents(registry)
    store_in_redis(client, keys, incidents)
    cameras = sorted(registry.cameras)[:5]
    counts = {camera: 50 - 7 * i for i, camera in enumerate(cameras)}
    stats = keys.daily_stats(DAY.strftime("%Y%m%d"))
    client.hset(
        stats, mapping={**ALARM_COUNTERS, **{f"alarms:cam:{c}": n for c, n in counts.items()}}
    )
    Archiver(client, keys, folder, TZ, live_days=400, retention_days=3650,
             personal_days=3650).run(AS_OF)  # fmt: skip
    return Golden(incidents, registry, counts)
