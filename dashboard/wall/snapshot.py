"""What every panel shows, read once per push for every screen of a server process.

``SnapshotBuilder`` holds what no single Redis read gives: the open incidents (``OpenSet``,
loaded once and then kept from the changes stream), the recent video alarms (kept from the
alarm-changes stream), the ticker, and the slower parts refreshed on their own clocks in the
background (department metrics every ``wall.metrics_s``, feed health and camera liveness every
``wall.health_s``). ``build()`` reads the fast parts (counters, the newest list, today's
stats, acknowledgements) and assembles an immutable ``Snapshot``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

import pyarrow as pa

from dashboard import metrics
from dashboard.feedqueries import FeedQueries
from dashboard.queries import IntakeTrend, Queries, parse_incidents
from dashboard.wall.openset import Marker, OpenSet
from dashboard.wall.strip import Ack, AlarmItem, candidates, strip
from dashboard.wall.ticker import TickerItem, alarm_event, incident_event, seed
from gridwall.contract.health import SourceInfo
from gridwall.engine.incident import summaries_of
from gridwall.platform.settings import WallSettings

log = logging.getLogger(__name__)

#: A video alarm on the map: (lon, lat, priority, flash until epoch s).
VideoMark = tuple[float, float, int, float]


@dataclass(frozen=True)
class FeedHealth:
    #: (id, name, status word) of every source.
    sources: tuple[tuple[str, str, str], ...] = ()
    unknown_cameras: int = 0
    deadletters: int = 0
    cameras_online: int = 0
    cameras_known: int = 0


@dataclass(frozen=True)
class Snapshot:
    """What every panel needs, read in one go."""

    at: datetime
    open_count: int
    by_area: Mapping[str, int]
    recent: list[dict[str, Any]]
    today: dict[str, int] = field(default_factory=dict)
    #: Open incidents per SLA state (``warning`` 临期, ``overdue`` 超期, ``paused`` 挂账).
    sla: dict[str, int] = field(default_factory=dict)
    #: Area code → (临期, 超期) open incidents.
    area_sla: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    markers: Mapping[str, Marker] = field(default_factory=dict)
    alarms: tuple[AlarmItem, ...] = ()
    video: Mapping[str, VideoMark] = field(default_factory=dict)
    #: Camera id → online.
    cameras: Mapping[str, bool] = field(default_factory=dict)
    #: Lead departments' KPI rows (``dashboard.metrics.department_kpis``), best rank first.
    departments: tuple[dict[str, Any], ...] = ()
    trend: IntakeTrend | None = None
    health: FeedHealth = field(default_factory=FeedHealth)
    ticker: tuple[TickerItem, ...] = ()


#: How many of the newest entries of the changes and alarm-changes streams refill the ticker
#: after a (re)start.
TICKER_TAIL = 2000


@dataclass(frozen=True)
class Change:
    op: str
    id: str
    summary: dict[str, Any]

    @classmethod
    def of(cls, fields: Mapping[bytes, bytes]) -> Change:
        """An entry of the changes or alarm-changes stream."""
        return cls(
            op=fields.get(b"op", b"").decode(),
            id=fields.get(b"id", b"").decode(),
            summary=json.loads(fields.get(b"s", b"{}")),
        )


#: Incident documents the department board reads and reduces to rows at a time: its memory
#: is bounded by this many documents, not by the period's (thousands a day on a busy county).
BOARD_CHUNK = 2000

#: The handling and event rows of a chunk of documents (``metrics.department_tables``).
BoardPart = tuple[pa.Table, pa.Table]


def board_part(docs: list[bytes], now: datetime) -> BoardPart:
    return metrics.department_tables(parse_incidents(docs), now)


def department_board(
    parts: Sequence[BoardPart], period: metrics.Period, min_sample: int
) -> tuple[dict[str, Any], ...]:
    """Lead departments' KPIs (主办), ranked ones first by rank, then by due cases."""
    handling, events = [h for h, _e in parts], [e for _h, e in parts]
    rows = metrics.clean(metrics.department_kpis_of(handling, events, period, min_sample))
    leads = [r for r in rows if r["role"] == "lead"]
    leads.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, -r["due"], r["key"]))
    return tuple(leads)


class SnapshotBuilder:
    def __init__(
        self,
        queries: Queries,
        recent: int,
        source_infos: Callable[[], list[SourceInfo]] | None = None,
    ) -> None:
        self.q = queries
        self.rt = queries.rt
        self.feed_queries = FeedQueries(queries.rt)
        self.settings: WallSettings = queries.rt.settings.wall
        self.recent = recent
        self._source_infos = source_infos
        self.open_set = OpenSet()
        self.loaded = False
        self._replay: list[Change] | None = None
        self._video: dict[str, tuple[dict[str, Any], str | None]] = {}
        self._ticker: deque[TickerItem] = deque(maxlen=self.settings.ticker_size)
        self._departments: tuple[dict[str, Any], ...] = ()
        self._health = FeedHealth()
        self._cameras: dict[str, bool] = {}
        self._due: dict[str, float] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        #: Set when a background refresh finished: the hub publishes at its next turn.
        self.dirty = False

    # -- loading and following ------------------------------------------------------------
    async def load(self) -> None:
        """(Re)load the open incidents; changes that arrive meanwhile are replayed onto the
        new set before it replaces the old one."""
        self._replay = []
        try:
            docs = await self.q.documents(await self.q.open_ids())
            fresh = OpenSet(await asyncio.to_thread(summaries_of, docs))
            for change in self._replay:
                fresh.apply(change.summary)
        finally:
            replay, self._replay = self._replay, None
        self.open_set = fresh
        if not self.loaded:
            await self._load_alarms()
            await self._seed_ticker()
        self.loaded = True
        log.info("wall: %d open incidents loaded (%d changes replayed)", len(fresh), len(replay))

    async def _load_alarms(self) -> None:
        since = time.time() - self.settings.alarm_window_s
        found = await asyncio.to_thread(
            self.feed_queries.alarms, limit=self.settings.alarm_rows * 5, since=since
        )
        self._video = {a["id"]: (a, a.get("camera_name")) for a in found}

    async def _seed_ticker(self) -> None:
        """Refill the ticker after a (re)start: the newest reports and the streams' tails."""
        keys = self.q.keys
        tails = []
        for stream in (keys.changes, keys.alarm_changes):
            entries = cast(
                list[tuple[bytes, dict[bytes, bytes]]],
                await self.q.r.xrevrange(stream, count=TICKER_TAIL),
            )
            tails.append([Change.of(fields) for _id, fields in reversed(entries)])
        recent = await self.q.recent(self.settings.ticker_size)
        items = seed(
            recent,
            [(c.op, c.summary) for c in tails[0]],
            [(c.op, c.summary, self._camera_name(c.summary)) for c in tails[1]],
            self.settings.ticker_size,
        )
        self._ticker.clear()
        self._ticker.extend(items)

    def _camera_name(self, alarm: Mapping[str, Any]) -> str | None:
        camera = self.rt.registry.get().camera(alarm.get("camera_id") or "")
        return camera.name if camera else None

    def apply_changes(self, changes: list[Change]) -> None:
        for change in changes:
            before = self.open_set.apply(change.summary)
            if self._replay is not None:
                self._replay.append(change)
            item = incident_event(change.op, change.summary, before)
            if item is not None:
                self._ticker.appendleft(item)

    def apply_alarm_changes(self, changes: list[Change]) -> None:
        for change in changes:
            name = self._camera_name(change.summary)
            self._video[change.id] = (change.summary, name)
            item = alarm_event(change.op, change.summary, name)
            if item is not None:
                self._ticker.appendleft(item)

    # -- background refreshes -------------------------------------------------------------
    def _refresh(self, name: str, every: float, job: Callable[[], Any]) -> None:
        """Start ``job`` in the background when it is due and not running already."""
        running = self._tasks.get(name)
        if (running is not None and not running.done()) or time.monotonic() < self._due.get(
            name, 0.0
        ):
            return
        self._due[name] = time.monotonic() + every

        async def run() -> None:
            try:
                await job()
                self.dirty = True
            except Exception:  # a failed refresh keeps the last figures; log and go on
                log.exception("wall: %s refresh failed", name)

        self._tasks[name] = asyncio.create_task(run(), name=f"gridwall-wall-{name}")

    async def _refresh_departments(self) -> None:
        now = self.rt.now()
        period = metrics.Period(now - timedelta(days=self.settings.metrics_days), now)
        ids = await self.q.period_ids(period.start, period.end)
        parts = []
        for start in range(0, len(ids), BOARD_CHUNK):  # a chunk's documents at a time
            docs = await self.q.documents(ids[start : start + BOARD_CHUNK])
            parts.append(await asyncio.to_thread(board_part, docs, now))
            del docs
        min_sample = self.rt.settings.metrics.min_sample
        self._departments = await asyncio.to_thread(department_board, parts, period, min_sample)

    async def _refresh_health(self) -> None:
        seen = await self.q.camera_seen()
        now, window = time.time(), self.rt.settings.alarms.offline_after_s
        registry = self.rt.registry.get()
        cameras = {c: now - seen.get(c, 0.0) <= window for c in registry.cameras}
        infos = self._source_infos() if self._source_infos is not None else []
        data = await asyncio.to_thread(self.feed_queries.sources, infos)
        self._cameras = cameras
        self._health = FeedHealth(
            sources=tuple((s["id"], s["name"] or s["id"], s["status"]) for s in data["sources"]),
            unknown_cameras=len(data["unknown_cameras"]),
            deadletters=int(data["deadletters"]),
            cameras_online=sum(cameras.values()),
            cameras_known=len(cameras),
        )

    async def stop(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        self._tasks.clear()

    # -- the snapshot ---------------------------------------------------------------------
    def _video_now(
        self, now: float
    ) -> tuple[list[tuple[dict[str, Any], str | None]], dict[str, VideoMark]]:
        cutoff = now - self.settings.alarm_window_s
        for alarm_id in [k for k, (a, _) in self._video.items() if _epoch(a["last_at"]) < cutoff]:
            del self._video[alarm_id]
        marks = {
            k: (
                round(a["lon"], 5),
                round(a["lat"], 5),
                int(a.get("priority") or 4),
                _epoch(a["first_at"]) + self.settings.flash_s,
            )
            for k, (a, _) in self._video.items()
            if a.get("lon") is not None and a.get("lat") is not None
        }
        return list(self._video.values()), marks

    async def build(self) -> Snapshot:
        self._refresh("departments", self.settings.metrics_s, self._refresh_departments)
        self._refresh("health", self.settings.health_s, self._refresh_health)
        now = self.rt.now()
        video, marks = self._video_now(now.timestamp())
        items = candidates(self.open_set, video, self.settings.alarm_rows)
        open_count, by_area, newest, sla = await asyncio.gather(
            self.q.open_count(),
            self.q.open_by_area(),
            self.q.recent(self.recent),
            self.q.sla_counts(),
        )
        trend, today, acks = await asyncio.gather(
            self.q.intake_trend(now.date(), self.settings.metrics_days),
            self.q.day_stats(f"{now:%Y%m%d}"),
            self.q.acks([i.key for i in items]),
        )
        return Snapshot(
            at=now,
            open_count=open_count,
            by_area=by_area,
            recent=newest,
            today=today,
            sla=sla,
            area_sla=self.open_set.area_sla(),
            markers=self.open_set.markers(self.settings.map_markers),
            alarms=strip(
                items, {k: Ack(v["by"], v["at"]) for k, v in acks.items()}, self.settings.alarm_rows
            ),
            video=marks,
            cameras=self._cameras,
            departments=self._departments,
            trend=trend,
            health=self._health,
            ticker=tuple(self._ticker),
        )


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()
