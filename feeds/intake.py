"""Intake: validate, enrich, de-duplicate and append events to the inbox.

Every feed ends here. ``normalize()`` turns public input into a normalized event (WGS-84
coordinates, the grid resolved from the point when absent, its ancestors attached) or raises
``IntakeError`` with one reason per field. ``Intake.enqueue()`` appends normalized events
atomically with their de-duplication key (one Lua script per event, so a duplicate
``(source, source_event_id)`` is answered with the existing incident id and changes nothing).
``Intake.dead_letter()`` keeps refused input with its reason: nothing is dropped silently.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import redis
from pydantic import ValidationError

from feeds.contract import (
    AreaPath,
    EventIn,
    Normalized,
    Point,
    Report,
    StatusUpdate,
    dedup_field,
)
from feeds.geo import to_wgs84
from feeds.keys import Keys
from feeds.refdata.registry import Registry

#: Largest raw payload kept in a dead-letter entry (the rest is cut and marked).
DEADLETTER_RAW_MAX = 64 * 1024

_ENQUEUE = """
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return {existing, 0} end
local id = ARGV[3]
if ARGV[2] ~= '' then
  local n = redis.call('INCR', KEYS[2])
  if n == 1 then redis.call('EXPIRE', KEYS[2], 172800) end
  id = ARGV[2] .. string.format('%05d', n)
end
redis.call('HSET', KEYS[1], ARGV[1], id)
redis.call('XADD', KEYS[3], '*', 'e', ARGV[4], 'i', id)
return {id, 1}
"""
# The same for a batch of one day: ARGV[1] the id prefix, then per event its de-duplication
# field, '1' when it opens an incident (else ''), its incident id (or '') and its JSON.
_ENQUEUE_MANY = """
local out = {}
for at = 2, #ARGV, 4 do
  local existing = redis.call('HGET', KEYS[1], ARGV[at])
  if existing then
    out[#out + 1] = existing
    out[#out + 1] = 0
  else
    local id = ARGV[at + 2]
    if ARGV[at + 1] == '1' then
      local n = redis.call('INCR', KEYS[2])
      if n == 1 then redis.call('EXPIRE', KEYS[2], 172800) end
      id = ARGV[1] .. string.format('%05d', n)
    end
    redis.call('HSET', KEYS[1], ARGV[at], id)
    redis.call('XADD', KEYS[3], '*', 'e', ARGV[at + 3], 'i', id)
    out[#out + 1] = id
    out[#out + 1] = 1
  end
end
return out
"""


@dataclass(frozen=True)
class FieldError:
    field: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "reason": self.reason}


class IntakeError(ValueError):
    """Input that cannot be accepted, with one reason per field."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.field}: {e.reason}" for e in self.errors))


@dataclass(frozen=True)
class Enqueued:
    incident_id: str
    duplicate: bool


def validation_errors(exc: ValidationError, prefix: str = "") -> list[FieldError]:
    """Pydantic errors as field reasons (``location.lat: ...``)."""
    found = []
    for item in exc.errors(include_url=False):
        loc = ".".join(str(part) for part in item["loc"])
        field = f"{prefix}{loc}" if loc else (prefix.rstrip(".") or "body")
        reason = str(item["msg"]).removeprefix("Value error, ")
        found.append(FieldError(field, reason))
    return found


def new_event_id() -> str:
    """A random (version 4) UUID as 32 hex digits, like ``uuid.uuid4().hex`` but without
    building a UUID object (a third of the time; the intake makes one per event)."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40
    raw[8] = raw[8] & 0x3F | 0x80
    return raw.hex()


class Intake:
    """Appends normalized events for one county."""

    def __init__(self, client: redis.Redis, keys: Keys, tz: ZoneInfo, deadletter_maxlen: int):
        self._client = client
        self._keys = keys
        self._tz = tz
        self._deadletter_maxlen = deadletter_maxlen
        self._script = client.register_script(_ENQUEUE)
        self._script_many = client.register_script(_ENQUEUE_MANY)
        self._paths: dict[tuple[str, int, str | None], AreaPath] = {}

    # -- normalization -------------------------------------------------------------------
    def normalize(self, event: EventIn, registry: Registry, now: datetime) -> Normalized:
        """Public input → normalized event; raises IntakeError."""
        if event.kind == "status":
            return self._status(event, now)
        return self._report(event, registry, now)

    def normalize_many(
        self, events: Sequence[EventIn], registry: Registry, now: datetime
    ) -> list[Normalized | IntakeError]:
        """``normalize`` for a batch (an HTTP array): the same results, each event's error in
        its place, with the points that need a grid located in one vectorised pass."""
        points: dict[int, tuple[float, float]] = {}
        for index, event in enumerate(events):
            if event.kind == "report" and event.location is not None:
                loc = event.location
                points[index] = to_wgs84(loc.lon, loc.lat, loc.crs)
        unknown = [i for i in points if events[i].grid is None]
        located = registry.locate_many(
            [points[i][0] for i in unknown], [points[i][1] for i in unknown]
        )
        grids = dict(zip(unknown, located, strict=True))
        found: list[Normalized | IntakeError] = []
        for index, event in enumerate(events):
            try:
                if event.kind == "status":
                    found.append(self._status(event, now))
                else:
                    where = (points[index], grids.get(index)) if index in points else None
                    found.append(self._report(event, registry, now, where))
            except IntakeError as exc:
                found.append(exc)
        return found

    def _report(
        self,
        event: EventIn,
        registry: Registry,
        now: datetime,
        where: tuple[tuple[float, float], str | None] | None = None,
    ) -> Report:
        """``where``: the WGS-84 point and the grid located for it, when the caller batched
        them (``normalize_many``)."""
        errors: list[FieldError] = []
        assert event.category is not None  # EventIn's rules
        if registry.category(event.category) is None:
            errors.append(FieldError("category", f"unknown category {event.category!r}"))
        point = None
        grid = event.grid
        if event.location is not None:
            if where is None:
                lon, lat = to_wgs84(event.location.lon, event.location.lat, event.location.crs)
                located = registry.locate(lon, lat) if grid is None else None
            else:
                (lon, lat), located = where
            point = Point(lon=round(lon, 7), lat=round(lat, 7))
            if grid is None:
                grid = located
                if grid is None:
                    errors.append(FieldError("location", "outside every grid of this county"))
        if grid is not None and event.grid is not None:
            area = registry.area(grid)
            if area is None or area.level.value != "grid":
                errors.append(FieldError("grid", f"unknown grid {grid!r}"))
        if errors:
            raise IntakeError(errors)
        return Report(
            event_id=new_event_id(),
            source=event.source,
            source_event_id=event.source_event_id,
            received_at=now,
            category=event.category,
            urgency=event.urgency,
            area=self._path(registry, grid),
            location=point,
            reported_at=event.reported_at,
            title=event.title,
            description=event.description,
            reporter=event.reporter,
            photos=event.photos,
        )

    def _path(self, registry: Registry, grid: str | None) -> AreaPath:
        """``registry.path`` remembered per registry version (it walks the hierarchy)."""
        key = (registry.county, registry.version, grid)
        found = self._paths.get(key)
        if found is None:
            if len(self._paths) > 100_000:
                self._paths.clear()
            found = self._paths[key] = registry.path(grid)
        return found

    def _status(self, event: EventIn, now: datetime) -> StatusUpdate:
        incident_id = event.incident_id
        if incident_id is None:
            assert event.ref is not None  # EventIn's rules
            raw = self._client.hget(self._keys.dedup, dedup_field(event.source, event.ref))
            if raw is None:
                raise IntakeError(
                    [FieldError("ref", f"no report {event.ref!r} from source {event.source!r}")]
                )
            incident_id = raw.decode() if isinstance(raw, bytes) else str(raw)
        elif not self._client.exists(self._keys.incident(incident_id)):
            raise IntakeError([FieldError("incident_id", f"unknown incident {incident_id!r}")])
        assert event.status is not None
        return StatusUpdate(
            event_id=new_event_id(),
            source=event.source,
            source_event_id=event.source_event_id,
            received_at=now,
            incident_id=incident_id,
            status=event.status,
            at=event.reported_at,
            note=event.note,
        )

    # -- the inbox -------------------------------------------------------------------------
    def enqueue(self, events: Sequence[Normalized]) -> list[Enqueued]:
        """Append events atomically with their de-duplication key, in one round trip
        (one script call per receive day of the batch)."""
        days: dict[str, list[int]] = {}
        day_of: dict[datetime, str] = {}  # a batch's events mostly share their receive time
        for index, event in enumerate(events):
            day = day_of.get(event.received_at)
            if day is None:
                day = day_of[event.received_at] = self._day(event.received_at)
            days.setdefault(day, []).append(index)
        pipe = self._client.pipeline(transaction=False)
        for day, indexes in days.items():
            args: list[Any] = [f"{self._keys.county}-{day}-"]
            for index in indexes:
                event = events[index]
                opens = isinstance(event, Report) and event.incident_id is None
                args += [
                    dedup_field(event.source, event.source_event_id),
                    "1" if opens else "",
                    event.incident_id or "",
                    event.model_dump_json(exclude_none=True),
                ]
            self._script_many(
                keys=[self._keys.dedup, self._keys.incident_seq(day), self._keys.inbox],
                args=args,
                client=pipe,
            )
        results: list[Enqueued | None] = [None] * len(events)
        for indexes, reply in zip(days.values(), pipe.execute(), strict=True):
            for position, index in enumerate(indexes):
                raw_id, created = reply[2 * position], reply[2 * position + 1]
                incident_id = raw_id.decode() if isinstance(raw_id, bytes) else str(raw_id)
                results[index] = Enqueued(incident_id=incident_id, duplicate=not int(created))
        return [r for r in results if r is not None]

    def _day(self, received: datetime) -> str:
        return received.astimezone(self._tz).strftime("%Y%m%d")

    def enqueue_into(self, pipe: Any, event: Normalized) -> None:
        """Queue one event's atomic de-duplicate-and-append on a pipeline (or a transaction)."""
        day = event.received_at.astimezone(self._tz).strftime("%Y%m%d")
        prefix = ""
        if isinstance(event, Report) and event.incident_id is None:
            prefix = f"{self._keys.county}-{day}-"
        self._script(
            keys=[self._keys.dedup, self._keys.incident_seq(day), self._keys.inbox],
            args=[
                dedup_field(event.source, event.source_event_id),
                prefix,
                event.incident_id or "",
                event.model_dump_json(exclude_none=True),
            ],
            client=pipe,
        )

    def dead_letter(
        self,
        source: str,
        endpoint: str,
        reasons: Sequence[FieldError] | str,
        raw: bytes | str,
        *,
        remote: str = "",
        now: datetime | None = None,
    ) -> str:
        """Keep refused input with its reason; returns the dead-letter entry id."""
        data = raw.encode("utf-8", "replace") if isinstance(raw, str) else raw
        truncated = len(data) > DEADLETTER_RAW_MAX
        if isinstance(reasons, str):
            reason_list: list[dict[str, str]] = [{"field": "body", "reason": reasons}]
        else:
            reason_list = [r.as_dict() for r in reasons]
        fields: dict[Any, Any] = {
            "at": (now or datetime.now(self._tz)).isoformat(timespec="milliseconds"),
            "source": source or "unknown",
            "endpoint": endpoint,
            "reasons": json.dumps(reason_list, ensure_ascii=False),
            "raw": data[:DEADLETTER_RAW_MAX],
            "truncated": int(truncated),
            "remote": remote,
        }
        entry = self._client.xadd(
            self._keys.deadletter,
            fields,
            maxlen=self._deadletter_maxlen,
            approximate=True,
        )
        return entry.decode() if isinstance(entry, bytes) else str(entry)
