"""The simulator feed: a demo county's reports with a daily rhythm, and their lifecycles.

Deterministic for a seed: the same seed gives the same sequence of events (their wall-clock
timing follows the real time of day). Reports go through the same ``Intake`` as every other
feed (normalization, de-duplication, the inbox); some carry GCJ-02 or BD-09 coordinates, as
phone apps do, so the conversion path runs in the demo too. Each report then goes through a
scripted lifecycle (``gridwall.sim.simlife``: departments of different speeds, send-backs,
extensions, parking, reworks, stuck cases) as actions in the inbox; ``backfill`` adds cases of
the past days at their real times, so the SLA clock finds warnings and breaches at once.
"""

from __future__ import annotations

import heapq
import logging
import math
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from shapely.geometry import Point as ShapelyPoint
from shapely.geometry import shape

from feeds.intake import Intake
from gridwall.contract.events import Crs, EventIn, Urgency
from gridwall.contract.geo import from_wgs84
from gridwall.contract.inbox import new_event_id
from gridwall.contract.refusal import IntakeError
from gridwall.refdata.model import Level
from gridwall.refdata.registry import Registry
from gridwall.sim.simlife import Departments, Step, script

log = logging.getLogger(__name__)

SOURCE = "simulator"

#: Relative report intensity per hour of the day (grid work follows office hours).
HOURLY = (
    0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.5, 0.9, 1.4, 1.8, 1.9, 1.6,
    1.0, 1.1, 1.6, 1.8, 1.7, 1.4, 1.0, 0.8, 0.6, 0.45, 0.3, 0.2,
)  # fmt: skip

#: Titles per category code (the demo catalogue's top-level classes).
TITLES: dict[str, tuple[str, ...]] = {
    "01": ("暴露垃圾", "道路不洁", "乱堆物料", "积存垃圾渣土"),
    "02": ("违规张贴小广告", "占道广告牌", "条幅破损"),
    "03": ("施工围挡破损", "施工扰民", "渣土车抛洒"),
    "04": ("占道经营", "乱停放共享单车", "店外经营"),
    "05": ("道路积水", "树木倒伏", "燃气泄漏气味"),
    "11": ("邻里噪音纠纷", "物业费纠纷", "租赁合同纠纷"),
    "12": ("井盖缺失", "楼道堆放杂物", "电动车违规充电", "围墙开裂"),
    "13": ("可疑人员徘徊", "深夜聚集喧哗"),
    "14": ("消防通道堵塞", "灭火器过期"),
    "15": ("河道漂浮物", "焚烧垃圾冒烟", "污水直排"),
    "16": ("路灯不亮", "公厕损坏", "独居老人求助"),
}
WEIGHTS: dict[str, float] = {
    "01": 20, "02": 6, "03": 6, "04": 14, "05": 3, "11": 9,
    "12": 12, "13": 4, "14": 3, "15": 6, "16": 12,
}  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚"


#: Hours at which backfilled reports come in (office hours, mostly).
WORK_HOURS = (8, 9, 9, 10, 10, 11, 14, 15, 15, 16, 17, 20)


@dataclass(order=True)
class Scheduled:
    """The remaining steps of one case; the first is due at ``due`` (epoch seconds)."""

    due: float
    seq: int
    incident_id: str = field(compare=False)
    steps: list[Step] = field(compare=False)


class Simulator:
    """Generates reports and drives each through its lifecycle (``gridwall.sim.simlife``).

    ``pace`` compresses live cases' case time (60: an hour of handling takes a minute).
    """

    def __init__(
        self, registry: Registry, intake: Intake, seed: int, rate: float, pace: float = 60.0
    ) -> None:
        self.registry = registry
        self.intake = intake
        self.rng = random.Random(seed)
        self.rate = rate
        self.pace = pace
        self.depts = Departments.of(registry, random.Random(seed + 1))
        self.seq = 0
        self.queue: list[Scheduled] = []
        self.grids = [a for a in registry.by_level(Level.GRID) if a.geometry]
        self.categories = [c for c in WEIGHTS if registry.category(c) is not None]
        self._shapes: dict[str, Any] = {}

    # -- generation --------------------------------------------------------------------
    def _point_in(self, code: str, geometry: dict[str, Any]) -> tuple[float, float]:
        poly = self._shapes.setdefault(code, shape(geometry))
        west, south, east, north = poly.bounds
        for _ in range(50):
            lon = self.rng.uniform(west, east)
            lat = self.rng.uniform(south, north)
            if poly.contains(ShapelyPoint(lon, lat)):
                return lon, lat
        point = poly.representative_point()
        return point.x, point.y

    def report(self, at: datetime, grid_code: str | None = None) -> dict[str, Any]:
        """One report as a grid worker's app would post it."""
        self.seq += 1
        grid = self.registry.area(grid_code) if grid_code else self.rng.choice(self.grids)
        assert grid is not None
        assert grid.geometry is not None
        category = self.rng.choices(self.categories, [WEIGHTS[c] for c in self.categories])[0]
        lon, lat = self._point_in(grid.code, grid.geometry)
        crs = self.rng.choices([Crs.WGS84, Crs.GCJ02, Crs.BD09], [6, 3, 1])[0]
        lon, lat = from_wgs84(lon, lat, crs)
        urgent = category in {"05", "14"} or self.rng.random() < 0.05
        name = self.rng.choice(SURNAMES) + "".join(
            self.rng.choices(GIVEN, k=self.rng.choice([1, 2]))
        )
        return {
            "source": SOURCE,
            "source_event_id": f"sim-{self.seq:08d}",
            "kind": "report",
            "category": category,
            "urgency": (Urgency.URGENT if urgent else Urgency.NORMAL).value,
            "location": {"lon": round(lon, 7), "lat": round(lat, 7), "crs": crs.value},
            "reported_at": at.isoformat(timespec="seconds"),
            "title": self.rng.choice(TITLES.get(category, ("事件",))),
            "description": f"{grid.name}网格员巡查发现",
            "reporter": {
                "name": name,
                "phone": f"1{self.rng.randint(3, 9)}{self.rng.randint(0, 999999999):09d}",
            },
        }

    # -- lifecycles --------------------------------------------------------------------
    def follow_ups(self, incident_id: str, category: str, due: float) -> None:
        """Schedule a live case's lifecycle, its case time compressed by ``pace``."""
        steps = script(self.rng, self.depts, category)
        self._chain(incident_id, steps, due)

    def _chain(self, incident_id: str, steps: list[Step], after: float) -> None:
        if steps:
            self.seq += 1
            due = after + steps[0].after / self.pace
            heapq.heappush(self.queue, Scheduled(due, self.seq, incident_id, steps))

    def act(self, incident_id: str, step: Step, at: datetime, now: datetime) -> None:
        """Append one action of a case to the inbox (the processor applies or refuses it)."""
        self.seq += 1
        ref = f"sim-{self.seq:08d}"
        action = step.event(incident_id, at, now, source=SOURCE, ref=ref, event_id=new_event_id())
        self.intake.enqueue([action])

    def backfill(self, now: datetime, count: int, days: float) -> int:
        """Cases reported over the past ``days``: their steps up to now happen at their real
        (past) times, the rest is replayed live. The wall starts with every state shown."""
        made = 0
        epoch = now.timestamp()
        for _ in range(count):
            reported = now - timedelta(days=self.rng.uniform(0.05, days))
            reported = reported.replace(hour=self.rng.choice(WORK_HOURS))
            if reported >= now:
                reported -= timedelta(days=1)
            raw = self.report(reported)
            incident_id = self.submit(raw, reported)  # received then: it counts on its day
            if incident_id is None:
                continue
            made += 1
            at = reported
            steps = script(self.rng, self.depts, raw["category"])
            while steps and at + timedelta(seconds=steps[0].after) <= now:
                at += timedelta(seconds=steps[0].after)
                self.act(incident_id, steps.pop(0), at, now)
            if steps:  # what is left continues live, starting soon
                first = replace(steps[0], after=self.rng.uniform(0, 20 * 60) * self.pace)
                self._chain(incident_id, [first, *steps[1:]], epoch)
        return made

    def intensity(self, at: datetime) -> float:
        """Reports per second at a time of day (the hourly rhythm around ``rate``)."""
        mean = sum(HOURLY) / len(HOURLY)
        return self.rate / 60.0 * HOURLY[at.hour] / mean

    def reports_between(self, start: datetime, seconds: float) -> Iterator[dict[str, Any]]:
        """The reports of a time slice: Poisson arrivals, and now and then a burst."""
        expected = self.intensity(start) * seconds
        count = _poisson(self.rng, expected)
        for _ in range(count):
            yield self.report(start)
        if expected > 0 and self.rng.random() < 0.002 * seconds:
            grid = self.rng.choice(self.grids).code
            for _ in range(self.rng.randint(5, 15)):
                yield self.report(start, grid)

    # -- running -----------------------------------------------------------------------
    def submit(self, raw: dict[str, Any], now: datetime) -> str | None:
        """Post one report; its incident id, or None (refused, or a repeat of a known one)."""
        try:
            event = EventIn.model_validate(raw)
            normalized = self.intake.normalize(event, self.registry, now)
        except (IntakeError, ValueError) as exc:
            self.intake.deadletters.write(SOURCE, "simulator", str(exc), repr(raw))
            return None
        result = self.intake.enqueue([normalized])[0]
        return None if result.duplicate else result.incident_id

    def step(self, now: datetime) -> None:
        """Act on every case whose next step is due."""
        epoch = now.timestamp()
        while self.queue and self.queue[0].due <= epoch:
            item = heapq.heappop(self.queue)
            self.act(item.incident_id, item.steps[0], now, now)
            self._chain(item.incident_id, item.steps[1:], item.due)

    def run(
        self, stop: threading.Event, tz: Any, tick: float = 1.0, backfill: int = 0, days: float = 0
    ) -> None:
        log.info("simulator: %.1f reports/min on %d grids", self.rate, len(self.grids))
        if backfill:
            made = self.backfill(datetime.now(tz), backfill, days)
            log.info("simulator: %d cases of the past %.0f days backfilled", made, days)
        while not stop.is_set():
            now = datetime.now(tz)
            epoch = time.time()
            for raw in self.reports_between(now, tick):
                incident_id = self.submit(raw, now)
                if incident_id is not None:
                    self.follow_ups(incident_id, raw["category"], epoch)
            self.step(now)
            stop.wait(tick)


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
