"""The read-only query layer over Redis (async), used by the read API and the wall.

No writes here. Callbacks and routes call these functions; they never touch Redis themselves.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from gridwall.contract import daystats
from gridwall.engine.incident import Incident, summaries_of
from gridwall.engine.processor.processor import processor_lag
from gridwall.runtime import Runtime


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def parse_incidents(docs: list[bytes]) -> list[Incident]:
    return [Incident.model_validate_json(d) for d in docs]


@dataclass(frozen=True)
class IntakeTrend:
    day: date
    #: Reports received in each hour of ``day`` (0-23, local time).
    today: list[int]
    #: The average of the same hour over the days before.
    average: list[float]
    #: Category code → reports received on ``day``.
    categories: dict[str, int]


class Queries:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.keys = rt.keys
        self.r = rt.aclient

    async def incident(self, incident_id: str) -> Incident | None:
        raw = await self.r.get(self.keys.incident(incident_id))
        return None if raw is None else Incident.model_validate_json(raw)

    async def open_count(self) -> int:
        return int(await self.r.zcard(self.keys.open_index))

    async def open_by_area(self) -> dict[str, int]:
        raw = await self.r.hgetall(self.keys.open_by_area)
        return {_text(k): int(v) for k, v in raw.items() if int(v) > 0}

    async def recent(self, count: int) -> list[dict[str, Any]]:
        """Summaries of the newest incidents, newest first."""
        ids = await self.r.zrevrange(self.keys.recent_index, 0, count - 1)
        if not ids:
            return []
        docs = await self.r.mget([self.keys.incident(_text(cast(bytes, i))) for i in ids])
        return summaries_of([cast(bytes, d) for d in docs if d is not None])

    async def incidents(self, ids: list[str], chunk: int = 500) -> list[Incident]:
        return parse_incidents(await self.documents(ids, chunk))

    async def documents(self, ids: list[str], chunk: int = 500) -> list[bytes]:
        """The raw incident documents (JSON) of ``ids`` that exist, read in chunks; parse them
        with ``parse_incidents`` or ``gridwall.engine.incident.summaries_of`` (in a thread
        when there are many)."""
        found: list[bytes] = []
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            docs = await self.r.mget([self.keys.incident(i) for i in part])
            found.extend(cast(bytes, d) for d in docs if d is not None)
        return found

    async def open_ids(self) -> list[str]:
        ids = cast(list[bytes], await self.r.zrange(self.keys.open_index, 0, -1))
        return [_text(i) for i in ids]

    async def iter_reported(
        self, start: datetime, end: datetime, chunk: int = 500
    ) -> AsyncIterator[Incident]:
        """Every incident reported in [start, end), oldest first, read in chunks."""
        offset = 0
        while True:
            ids = await self.r.zrangebyscore(
                self.keys.reported_index,
                start.timestamp(),
                f"({end.timestamp()}",
                start=offset,
                num=chunk,
            )
            if not ids:
                return
            for incident in await self.incidents([_text(cast(bytes, i)) for i in ids]):
                yield incident
            offset += len(ids)

    async def period_incidents(self, start: datetime, end: datetime) -> list[Incident]:
        """Every incident a KPI of [start, end) can depend on: due in it, changed since its
        start (and reported before its end), or open now."""
        return await self.incidents(await self.period_ids(start, end))

    async def period_ids(self, start: datetime, end: datetime) -> list[str]:
        """The ids ``period_incidents`` reads."""
        lo, hi = start.timestamp(), end.timestamp()
        pipe = self.r.pipeline(transaction=False)
        pipe.zrangebyscore(self.keys.due_index, lo, f"({hi}")
        pipe.zrangebyscore(self.keys.updated_index, lo, "+inf")
        pipe.zrangebyscore(self.keys.reported_index, "-inf", f"({hi}")
        pipe.zrange(self.keys.open_index, 0, -1)
        due, updated, reported, open_ids = await pipe.execute()
        ids = {_text(i) for i in due} | {_text(i) for i in open_ids}
        ids |= {_text(i) for i in updated} & {_text(i) for i in reported}
        return sorted(ids)

    async def sla_counts(self) -> dict[str, int]:
        """Open incidents per SLA state (``warning``, ``overdue``, ``paused``)."""
        raw = await self.r.hgetall(self.keys.sla_counts)
        return {_text(k): int(v) for k, v in raw.items()}

    async def sla_clocks(self) -> list[dict[str, Any]]:
        return await self._heartbeats("sla-clock")

    async def day_stats(self, day: str) -> dict[str, int]:
        raw = await self.r.hgetall(self.keys.daily_stats(day))
        return {_text(k): int(v) for k, v in raw.items()}

    async def intake_trend(self, day: date, days: int = 7) -> IntakeTrend:
        """Today's intake per hour against the average of the ``days`` days before, and
        today's category mix, from the daily stats hashes (the one place trends are read;
        the Parquet history may answer the averages later)."""
        pipe = self.r.pipeline(transaction=False)
        for back in range(days + 1):
            pipe.hgetall(self.keys.daily_stats(f"{day - timedelta(days=back):%Y%m%d}"))
        stats = [{_text(k): int(v) for k, v in raw.items()} for raw in await pipe.execute()]
        today, before = stats[0], stats[1:]
        hours = [daystats.per_hour(s) for s in before]
        return IntakeTrend(
            day=day,
            today=daystats.per_hour(today),
            average=[sum(h[at] for h in hours) / days for at in range(24)],
            categories=daystats.per_category(today),
        )

    async def acks(self, items: list[str]) -> dict[str, dict[str, Any]]:
        """Acknowledgements of alarm-strip items (``gridwall.platform.keys.Keys.alarm_ack``)."""
        if not items:
            return {}
        raw = await self.r.mget([self.keys.alarm_ack(i) for i in items])
        return {i: json.loads(v) for i, v in zip(items, raw, strict=True) if v is not None}

    async def camera_seen(self) -> dict[str, float]:
        """Camera id → last time it was heard from (epoch s)."""
        raw = await self.r.hgetall(self.keys.camera_seen)
        return {_text(k): float(v) for k, v in raw.items()}

    async def processors(self) -> list[dict[str, Any]]:
        return await self._heartbeats("processor")

    async def _heartbeats(self, role: str) -> list[dict[str, Any]]:
        found = []
        async for key in self.r.scan_iter(match=self.keys.heartbeat_pattern(role)):
            raw = await self.r.get(key)
            if raw is not None:
                found.append(
                    {"name": _text(cast(bytes, key)).rsplit(":", 1)[-1], **json.loads(raw)}
                )
        return found

    def processor_lag(self) -> float | None:
        """Synchronous: call from a thread."""
        return processor_lag(self.rt.client, self.keys)
