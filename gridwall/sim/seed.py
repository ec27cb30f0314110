"""Simulated history for the demo: past days straight into the Parquet files.

``seed_history`` writes ``days`` days (ending yesterday) of a demo county's cases so that the
briefing and the trends have real content on a newcomer's first look. Every case is a real
``Report`` driven through its simulated lifecycle (``gridwall.sim.simlife.script``: departments of
different speeds, send-backs, extensions, parking, reworks, late and stuck cases) by the real
pure ``gridwall.engine.cases.lifecycle.apply`` with the install's SLA policies and reference data,
at the times the steps happened; nothing goes through Redis. Around that: a mix of sources
(grid-worker app, 12345 hotline, higher platforms, camera alarms), hot grids, hotline reports
without coordinates, late entries and repeated reports, and each day's video-alarm counters.

At each midnight the cases open then are written to that day's snapshot (their SLA state as
of midnight), closed cases to the files of the day they closed: exactly what the nightly
archive writes. Cases still open at the end stay in the history only (the live demo's cases
come from the simulator).
"""

from __future__ import annotations

import random
import time as clock
from bisect import bisect_left
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import redis

from gridwall.contract import daystats
from gridwall.contract.events import Action, Point, Report, Reporter, Urgency
from gridwall.engine.cases.lifecycle import apply
from gridwall.engine.cases.rules import Rules
from gridwall.engine.incident import Incident
from gridwall.history.archive import add_rows
from gridwall.history.store import DayRows, HistoryStore
from gridwall.platform.keys import Keys
from gridwall.refdata.model import Level
from gridwall.refdata.registry import Registry
from gridwall.sim.simlife import DAY, HOUR, MINUTE, Departments, Step, script
from gridwall.sim.simulator import HOURLY, SURNAMES, TITLES, WEIGHTS

#: Sources of the simulated history and their shares.
SOURCES = {"gridapp": 56, "hotline": 22, "platform": 8, "video": 10, "wechat": 4}
#: Urgent cases (calendar-time limits of hours) are worked this much faster than the script's
#: working-day pace.
URGENT_PACE = 0.05
ALARM_TYPES = ("区域入侵", "越线检测", "人员聚集", "烟火检测", "车辆违停", "徘徊检测")


@dataclass(frozen=True)
class SeedResult:
    cases: int
    closed: int
    open_at_end: int
    days: int
    seconds: float


class _Seeder:
    def __init__(self, registry: Registry, rules: Rules, tz: ZoneInfo, seed: int) -> None:
        self.registry = registry
        self.rules = rules
        self.tz = tz
        self.rng = random.Random(seed)
        self.depts = Departments.of(registry, random.Random(seed + 1))
        grids = [a for a in registry.by_level(Level.GRID) if a.centroid]
        if not grids:
            raise ValueError("the registry has no grids to simulate a history in")
        self.grids = grids
        # a few hot grids (markets, old quarters) take a large share of the reports
        self.grid_weights = [self.rng.paretovariate(1.6) for _ in grids]
        self.categories = [c for c in WEIGHTS if registry.category(c) is not None] or sorted(
            c.code for c in registry.categories.values() if c.parent is None
        )
        cameras = [c for c in registry.cameras.values() if c.grid]
        self.cameras = sorted(cameras, key=lambda c: c.id)
        self.camera_weights = [self.rng.paretovariate(1.2) for _ in self.cameras]
        self.number = 0

    def incident_id(self, at: datetime) -> str:
        """Ids of the simulated history (numbers from 9000001 on, past any live day's)."""
        return f"{self.registry.county}-{at.astimezone(self.tz):%Y%m%d}-{9_000_000 + self.number}"

    # -- one report --------------------------------------------------------------------------
    def report(self, at: datetime) -> Report:
        rng = self.rng
        self.number += 1
        source = rng.choices(list(SOURCES), list(SOURCES.values()))[0]
        category = rng.choices(self.categories, [WEIGHTS.get(c, 5) for c in self.categories])[0]
        grid = rng.choices(self.grids, self.grid_weights)[0]
        title = rng.choice(TITLES.get(category, ("事件",)))
        source_event_id = f"seed-{self.number:07d}"
        if source == "video" and self.cameras:
            camera = rng.choices(self.cameras, self.camera_weights)[0]
            grid = self.registry.area(camera.grid or "") or grid
            title = f"{camera.name} {rng.choice(ALARM_TYPES)}"
            source_event_id = f"alarm:seed-{self.number:07d}"
        lon, lat = grid.centroid or (0.0, 0.0)
        point = Point(lon=round(lon + rng.uniform(-4e-4, 4e-4), 7),
                      lat=round(lat + rng.uniform(-4e-4, 4e-4), 7))  # fmt: skip
        located = not (source == "hotline" and rng.random() < 0.6) and rng.random() > 0.02
        delay = rng.uniform(5, 600)
        if rng.random() < 0.02:  # entered late (补录)
            delay = rng.uniform(1.1, 3.0) * DAY
        urgent = category in {"05", "14"} or rng.random() < 0.05
        name = rng.choice(SURNAMES) + rng.choice("伟芳娜秀英敏静丽强磊军洋")
        return Report(
            event_id=f"seed-{self.number}",
            source=source,
            source_event_id=source_event_id,
            received_at=at + timedelta(seconds=delay),
            incident_id=self.incident_id(at),
            category=category,
            urgency=Urgency.URGENT if urgent else Urgency.NORMAL,
            area=self.registry.path(grid.code),
            location=point if located else None,
            reported_at=at,
            title=title,
            description=f"{grid.name}：{title}",
            reporter=Reporter(
                name=name, phone=f"1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}"
            ),
        )

    def steps(self, report: Report) -> list[Step]:
        """The case's simulated steps; cases under an urgent (calendar-time) policy move at
        the pace their limits ask for, stuck cases are mostly handled at last, long overdue."""
        book = self.rules.book
        key = book.policy_key(report.category, self.rules.category_sla(report.category),
                              report.urgency)  # fmt: skip
        steps = script(self.rng, self.depts, report.category)
        if steps[-1].action == "dispatch" and self.rng.random() < 0.9:
            lead = steps[-1].department
            steps += [
                Step(self.rng.uniform(2, 8) * DAY, "sign", lead, actor=f"{lead}经办人"),
                Step(self.rng.uniform(1, 5) * DAY, "report_back", lead, actor=f"{lead}经办人"),
                Step(self.rng.uniform(2, 20) * HOUR, "verify", params={"result": "pass"}),
            ]
        if book.get(key).urgent:
            steps = [replace(s, after=s.after * URGENT_PACE) for s in steps]
        return steps


def _action(report: Report, step: Step, at: datetime, n: int) -> Action:
    name = f"{report.event_id}-{n}"
    return step.event(report.incident_id, at, at, source="seed", ref=name, event_id=name)


class _Collector:
    """Rows per closed day, and snapshot rows per midnight."""

    def __init__(self, midnights: list[datetime], tz: ZoneInfo) -> None:
        self.midnights = midnights
        self.tz = tz
        self.closed: dict[date, DayRows] = {}
        self.snapshots: list[DayRows] = [DayRows() for _ in midnights]

    def open_until(self, incident: Incident, start: datetime, end: datetime | None) -> None:
        """The case was open (as it is now) from ``start`` until ``end`` (None: the end)."""
        first = bisect_left(self.midnights, start)
        last = len(self.midnights) if end is None else bisect_left(self.midnights, end)
        for k in range(first, last):
            add_rows(self.snapshots[k], incident, self.midnights[k])

    def close(self, incident: Incident, end: datetime) -> None:
        assert incident.closed_at is not None
        day = incident.closed_at.astimezone(self.tz).date()
        rows = self.closed.setdefault(day, DayRows())
        add_rows(rows, incident, end)
        rows.cases[-1].update(doc=incident.model_dump_json(exclude_defaults=True), purged=False)


def _run_case(seeder: _Seeder, report: Report, steps: list[Step], end: datetime,
              out: _Collector) -> Incident | None:  # fmt: skip
    """The case driven up to ``end`` and collected; None when it is only entered later."""
    if report.received_at >= end:
        return None
    incident = apply(None, report, report.received_at, seeder.rules).incident
    assert incident is not None
    since, at = report.received_at, report.reported_at
    for n, step in enumerate(steps):
        at = max(at + timedelta(seconds=step.after), report.received_at)
        if at >= end:
            break
        outcome = apply(incident, _action(report, step, at, n), at, seeder.rules)
        if outcome.incident is None:
            continue
        if incident.is_open:
            out.open_until(incident, since, at)
        incident, since = outcome.incident, at
    if incident.is_open:
        out.open_until(incident, since, None)
    else:
        out.close(incident, end)
    return incident


def seed_history(
    registry: Registry,
    rules: Rules,
    store: HistoryStore,
    *,
    tz: ZoneInfo,
    today: date,
    days: int,
    per_day: int,
    seed: int,
) -> SeedResult:
    """Write ``days`` days of simulated history ending the day before ``today``."""
    if days < 1:
        raise ValueError("a simulated history needs at least one day")
    store.mark_seeding()
    try:
        return _write(_Seeder(registry, rules, tz, seed), store, today, days, per_day)
    finally:
        store.clear_seeding()


def _write(
    seeder: _Seeder, store: HistoryStore, today: date, days: int, per_day: int
) -> SeedResult:
    started = clock.perf_counter()
    tz = seeder.tz
    first = today - timedelta(days=days)
    midnights = [datetime.combine(first + timedelta(days=k + 1), time(0), tz) for k in range(days)]
    end = midnights[-1]
    out = _Collector(midnights, tz)
    total = closed = 0
    counters: dict[date, dict[str, int]] = {}
    for k in range(days):
        day = first + timedelta(days=k)
        volume = per_day * (0.72 if day.isoweekday() >= 6 else 1.0) * seeder.rng.uniform(0.85, 1.15)
        for _ in range(round(volume)):
            hour = seeder.rng.choices(range(24), HOURLY)[0]
            at = datetime.combine(day, time(hour), tz) + timedelta(
                seconds=seeder.rng.uniform(0, 3599)
            )
            report = seeder.report(at)
            cases = [_run_case(seeder, report, seeder.steps(report), end, out)]
            if seeder.rng.random() < 0.03:  # the same thing reported again soon after
                twin = _twin(seeder, report)
                cases.append(_run_case(seeder, twin, _twin_steps(seeder.rng), end, out))
            made = [c for c in cases if c is not None]
            total += len(made)
            closed += sum(not c.is_open for c in made)
            for case in made:
                _count_intake(counters, case, tz)
        counters.setdefault(day, {}).update(_alarm_counters(seeder, volume))
    for day, rows in out.closed.items():
        store.upsert_closed(day, rows)
    for k, rows in enumerate(out.snapshots):
        store.write_snapshot(first + timedelta(days=k), midnights[k], rows)
    for day, found in counters.items():
        store.write_counters(day, found)
    return SeedResult(total, closed, len(out.snapshots[-1].cases), days,
                      clock.perf_counter() - started)  # fmt: skip


def _twin(seeder: _Seeder, report: Report) -> Report:
    seeder.number += 1
    later = report.reported_at + timedelta(minutes=seeder.rng.uniform(2, 25))
    return report.model_copy(
        update={
            "event_id": f"seed-{seeder.number}",
            "source_event_id": f"seed-{seeder.number:07d}",
            "incident_id": seeder.incident_id(later),
            "reported_at": later,
            "received_at": later + timedelta(seconds=seeder.rng.uniform(5, 300)),
        }
    )


def _twin_steps(rng: random.Random) -> list[Step]:
    """A repeat is accepted and closed as a duplicate."""
    return [
        Step(rng.uniform(3, 30) * MINUTE, "accept"),
        Step(rng.uniform(5, 60) * MINUTE, "close", note="重复上报，合并处理"),
    ]


def _count_intake(counters: dict[date, dict[str, int]], case: Incident, tz: ZoneInfo) -> None:
    """The intake counters the processor keeps per day (``gridwall.engine.processor.processor``:
    received, per hour, category and source), so that the wall's trend has its 7-day average."""
    received = case.received_at.astimezone(tz)
    found = counters.setdefault(received.date(), {})
    for key in daystats.intake_fields(received.hour, case.category, case.source):
        found[key] = found.get(key, 0) + 1


def restore_day_stats(
    client: redis.Redis, keys: Keys, store: HistoryStore, today: date, days: int = 8
) -> int:
    """Add the intake counters of the history's last ``days`` days to Redis's daily stats
    hashes (the live window's, where the wall reads its trend; after a seeding, so nothing is
    counted twice). Returns how many days had counters."""
    found = 0
    pipe = client.pipeline(transaction=False)
    for back in range(1, days + 1):
        day = today - timedelta(days=back)
        counters = store.read_counters(day) or {}
        intake = {k: v for k, v in counters.items() if daystats.is_intake(k)}
        if not intake:
            continue
        found += 1
        stats = keys.daily_stats(f"{day:%Y%m%d}")
        for key, value in intake.items():
            pipe.hincrby(stats, key, value)
        pipe.expire(stats, 60 * 86400)
    pipe.execute()
    return found


def _alarm_counters(seeder: _Seeder, volume: float) -> dict[str, int]:
    """A day of camera alarms as the alarm feeds count them (``stats:<day>``)."""
    rng = seeder.rng
    received = int(volume * rng.uniform(6, 12))
    found = {daystats.ALARMS_RECEIVED: received,
             daystats.ALARMS_NEW: int(received * rng.uniform(0.12, 0.2)),
             daystats.ALARMS_UNKNOWN: rng.randint(0, max(1, received // 200)),
             daystats.DEADLETTERS: rng.randint(0, max(1, int(volume) // 60))}  # fmt: skip
    if seeder.cameras:
        for camera in rng.choices(seeder.cameras, seeder.camera_weights, k=received):
            key = f"{daystats.CAMERA}{camera.id}"
            found[key] = found.get(key, 0) + 1
    return found
