"""The inbox: events appended atomically with their de-duplication key.

Every writer of events (the feeds' intake, the camera-alarm stage, the simulators, people's
actions) appends through ``Inbox``: one Lua script per receive day of a batch appends the
events and records ``(source, source_event_id)`` in the de-duplication hash, so a duplicate is
answered with the existing incident id and changes nothing. A report that opens an incident
gets its id here (``<county>-<yyyymmdd>-<sequence>``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import redis

from gridwall.contract.events import Normalized, Report, dedup_field
from gridwall.platform.keys import Keys

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
class Enqueued:
    incident_id: str
    duplicate: bool


def new_event_id() -> str:
    """A random (version 4) UUID as 32 hex digits, like ``uuid.uuid4().hex`` but without
    building a UUID object (a third of the time; the intake makes one per event)."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40
    raw[8] = raw[8] & 0x3F | 0x80
    return raw.hex()


class Inbox:
    """Appends normalized events to one county's inbox."""

    def __init__(self, client: redis.Redis, keys: Keys, tz: ZoneInfo):
        self._client = client
        self._keys = keys
        self._tz = tz
        self._script = client.register_script(_ENQUEUE)
        self._script_many = client.register_script(_ENQUEUE_MANY)

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
