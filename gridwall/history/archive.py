"""The nightly archive: Redis keeps the live window, the Parquet history keeps the rest.

``Archiver.run(now)`` (the worker, at ``history.archive_time``; ``gridwall history archive``):

1. **Closed cases**: every case changed since the last run (``idx:updated`` above the
   watermark ``history:archived``) that is closed now is written, with its whole document, to
   the closed files of the day it closed (local time), replacing its earlier row; a case that
   was reopened, or closed again on another day, leaves the files of its earlier closing.
   Documents of cases closed longer ago than ``privacy.retention_days`` are written purged.
2. **Snapshot**: every open case, as flat rows with its SLA state at ``now``, to
   ``open/<the day that ended>``: the backlog, 超期 and 临期 as of the night.
3. **Counters**: the day's statistics hash (``stats:<day>``: intake counts, video alarms) and
   the number of dead letters of the day to ``days/<day>.json`` (the hash expires in Redis).
4. **Prune Redis**: cases closed more than ``history.live_days`` ago, unchanged since and with
   no deadline inside that window, are archived; their documents leave Redis with every trace:
   the reported/updated/due/closed/recent indexes, the SLA clock plans of their stages and the
   de-duplication entries (``dedup``) that point at them (a replay of such an old event is
   then answered as a new event; it names an unknown incident and is dead-lettered).
5. **Retention**: day folders older than ``history.retention_days`` are deleted.

Writes go to the files before the watermark moves and before anything leaves Redis, so a crash
at any point loses nothing: the next run writes the same rows again (a write replaces rows by
case id).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import redis

from gridwall.contract import daystats
from gridwall.contract.events import is_incident_id
from gridwall.engine.incident import Incident, Status
from gridwall.history.retention import purge_incident
from gridwall.history.rows import case_row, event_rows, handling_rows
from gridwall.history.store import DayRows, HistoryStore, history_folder
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings

log = logging.getLogger(__name__)

CLOSING = frozenset({Status.CLOSED})
#: Updates written this close to the start of a run are read again by the next run (clocks of
#: several processors differ a little).
SKEW_S = 120.0
STATS_DAYS = 59  # the day statistics hash lives 60 days


@dataclass(frozen=True)
class ArchiveResult:
    day: date
    closed: int
    left: int
    snapshot: int
    pruned: int
    dedup: int
    days_deleted: int


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


class Archiver:
    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        store: HistoryStore,
        tz: ZoneInfo,
        *,
        live_days: int,
        retention_days: int,
        personal_days: int,
        batch: int = 500,
    ) -> None:
        self.client = client
        self.keys = keys
        self.store = store
        self.tz = tz
        self.live_days = live_days
        self.retention_days = retention_days
        self.personal_days = personal_days
        self.batch = batch

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def run(self, now: datetime | None = None) -> ArchiveResult:
        now = now or datetime.now(self.tz)
        day = self.local_day(now) - timedelta(days=1)
        raw = self.client.get(self.keys.history_archived)
        watermark = float(raw) if raw else 0.0
        closed, left = self.archive_closed(watermark, now)
        snapshot = self.snapshot(day, now)
        self.counters(day)
        self.client.set(self.keys.history_archived, repr(now.timestamp() - SKEW_S))
        pruned, dedup = self.prune(now)
        first_kept = self.local_day(now) - timedelta(days=self.retention_days)
        deleted = self.store.delete_before(first_kept)
        result = ArchiveResult(day, closed, left, snapshot, pruned, dedup, deleted)
        log.info(
            "history: %d closed cases written, %d left earlier days, %d open in the snapshot "
            "of %s, %d cases and %d de-duplication entries removed from Redis, %d old folders "
            "deleted",
            closed, left, snapshot, day, pruned, dedup, deleted,
        )  # fmt: skip
        return result

    # -- reading documents ---------------------------------------------------------------------
    def _documents(self, ids: Sequence[str]) -> Iterator[Incident]:
        for part in _chunks(ids, self.batch):
            for raw in self.client.mget([self.keys.incident(i) for i in part]):
                if raw is not None:
                    yield Incident.model_validate_json(raw)

    # -- 1. closed cases -----------------------------------------------------------------------
    def _close_days(self, incident: Incident) -> set[date]:
        """Every day the case was closed on (an earlier closing may have been reopened)."""
        return {
            self.local_day(entry.at)
            for entry in incident.history
            if entry.to_status in CLOSING and entry.from_status not in CLOSING
        }

    def archive_closed(self, watermark: float, now: datetime) -> tuple[int, int]:
        """Write the cases changed since ``watermark``; (rows written, rows taken away)."""
        ids = [
            _text(i)
            for i in self.client.zrangebyscore(
                self.keys.updated_index, f"({watermark!r}", now.timestamp()
            )
        ]
        rows: dict[date, DayRows] = defaultdict(DayRows)
        remove: dict[date, set[str]] = defaultdict(set)
        personal_cutoff = now - timedelta(days=self.personal_days)
        for incident in self._documents(ids):
            earlier = self._close_days(incident)
            if incident.is_open or incident.closed_at is None:
                for day in earlier:
                    remove[day].add(incident.id)
                continue
            day = self.local_day(incident.closed_at)
            for other in earlier - {day}:
                remove[other].add(incident.id)
            kept = incident
            if incident.closed_at < personal_cutoff and incident.reporter is not None:
                kept = purge_incident(incident, now)
            add_rows(rows[day], incident, now)
            rows[day].cases[-1].update(
                doc=kept.model_dump_json(exclude_defaults=True),
                purged=kept is not incident,
            )
        for day in sorted(set(rows) | set(remove)):
            self.store.upsert_closed(day, rows.get(day, DayRows()), remove.get(day, set()))
        return sum(len(r.cases) for r in rows.values()), sum(len(r) for r in remove.values())

    # -- 2. snapshot -----------------------------------------------------------------------------
    def snapshot(self, day: date, now: datetime) -> int:
        ids = [_text(i) for i in self.client.zrange(self.keys.open_index, 0, -1)]
        rows = DayRows()
        for incident in self._documents(ids):
            if incident.is_open:
                add_rows(rows, incident, now)
        self.store.write_snapshot(day, now, rows)
        return len(rows.cases)

    # -- 3. counters -----------------------------------------------------------------------------
    def counters(self, day: date) -> None:
        """The day's counters, and those of earlier days no run has written yet."""
        for back in range(STATS_DAYS):
            when = day - timedelta(days=back)
            if back and (
                self.store.counters_path(when).exists()
                or not self.client.exists(self.keys.daily_stats(when.strftime("%Y%m%d")))
            ):
                continue
            self.store.write_counters(when, day_counters(self.client, self.keys, self.tz, when))

    # -- 4. prune ----------------------------------------------------------------------------------
    def prune(self, now: datetime) -> tuple[int, int]:
        """Remove archived cases past the live window from Redis; (cases, dedup entries)."""
        cutoff = now.timestamp() - self.live_days * 86400
        ids = [_text(i) for i in self.client.zrangebyscore(self.keys.closed_index, "-inf", cutoff)]
        pruned: set[str] = set()
        for part in _chunks(ids, self.batch):
            pruned |= self._prune_batch(part, cutoff)
        return len(pruned), self._prune_dedup(
            pruned, self.local_day(now) - timedelta(self.live_days)
        )

    def _prune_batch(self, ids: list[str], cutoff: float) -> set[str]:
        doc_keys = [self.keys.incident(i) for i in ids]
        for _attempt in range(20):
            with self.client.pipeline(transaction=True) as pipe:
                try:
                    pipe.watch(*doc_keys)  # type: ignore[no-untyped-call]
                    docs = pipe.mget(doc_keys)
                    pipe.multi()
                    gone = set()
                    for raw in docs:
                        incident = None if raw is None else Incident.model_validate_json(raw)
                        if incident is None or not _expired(incident, cutoff):
                            continue
                        self._forget(pipe, incident)
                        gone.add(incident.id)
                    pipe.execute()
                    return gone
                except redis.WatchError:
                    continue
        raise RuntimeError("incidents kept changing while the archive pruned them")

    def _forget(self, pipe: Any, incident: Incident) -> None:
        k, case = self.keys, incident.id
        pipe.delete(k.incident(case))
        for index in (k.reported_index, k.updated_index, k.due_index, k.closed_index,
                      k.recent_index, k.open_index):  # fmt: skip
            pipe.zrem(index, case)
        members = [f"{case}|{stage}" for stage in incident.stages]
        if members:
            pipe.zrem(k.sla_due, *members)
            pipe.hdel(k.sla_plans, *members)

    def _prune_dedup(self, pruned: set[str], before: date) -> int:
        """Drop the de-duplication entries (reports, actions, status updates) that point at a
        case no longer in Redis: the ones pruned now, and any older one whose document is gone
        (left by an interrupted run)."""
        stale: list[str] = []
        unsure: dict[str, str] = {}
        for raw_field, raw_value in self.client.hscan_iter(self.keys.dedup, count=5000):
            value = _text(raw_value)
            if value in pruned:
                stale.append(_text(raw_field))
            elif _opened_before(value, before):
                unsure[_text(raw_field)] = value
        for part in _chunks(list(unsure), self.batch):
            with self.client.pipeline(transaction=False) as pipe:
                for name in part:
                    pipe.exists(self.keys.incident(unsure[name]))
                stale += [n for n, there in zip(part, pipe.execute(), strict=True) if not there]
        removed = 0
        for part in _chunks(stale, 1000):
            removed += int(self.client.hdel(self.keys.dedup, *part))
        return removed


def _opened_before(value: str, day: date) -> bool:
    """An incident id (``<county>-<YYYYMMDD>-<n>``) of a case opened before ``day``."""
    if not is_incident_id(value):
        return False
    try:
        return datetime.strptime(value.split("-")[1], "%Y%m%d").date() < day
    except ValueError:
        return False


def archiver_for(client: redis.Redis, keys: Keys, settings: Settings) -> Archiver:
    """The archive of an install, from its settings."""
    return Archiver(
        client,
        keys,
        HistoryStore(history_folder(settings)),
        ZoneInfo(settings.timezone),
        live_days=settings.history.live_days,
        retention_days=settings.history.retention_days,
        personal_days=settings.privacy.retention_days,
    )


def day_counters(client: redis.Redis, keys: Keys, tz: ZoneInfo, day: date) -> dict[str, int]:
    """One day's counters from Redis: the statistics hash (``stats:<day>``: intake counts,
    ``alarms:*`` from the alarm feeds) and ``deadletters``, the input refused that day."""
    raw = client.hgetall(keys.daily_stats(day.strftime("%Y%m%d")))
    found = {_text(k): int(v) for k, v in raw.items()}
    start = datetime.combine(day, datetime.min.time(), tz)
    lo = int(start.timestamp() * 1000)
    hi = int((start + timedelta(days=1)).timestamp() * 1000) - 1
    count, cursor = 0, f"{lo}-0"
    while True:
        entries = client.xrange(keys.deadletter, cursor, f"{hi}-18446744073709551615", count=1000)
        if not entries:
            break
        count += len(entries)
        cursor = "(" + _text(entries[-1][0])
    found[daystats.DEADLETTERS] = count
    return found


def _expired(incident: Incident, cutoff: float) -> bool:
    """Closed, closed and last changed before the cutoff, and not due after it."""
    return (
        not incident.is_open
        and incident.closed_at is not None
        and incident.closed_at.timestamp() < cutoff
        and incident.updated_at.timestamp() < cutoff
        and (incident.due_at is None or incident.due_at.timestamp() < cutoff)
    )


def add_rows(rows: DayRows, incident: Incident, now: datetime) -> None:
    """Append one case's rows (case, handling stages, counted events) as of ``now``."""
    rows.cases.append(case_row(incident, now))
    rows.handling.extend(handling_rows(incident, now))
    rows.events.extend(event_rows(incident))
