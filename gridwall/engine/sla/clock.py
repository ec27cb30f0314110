"""The SLA clock: turns due plans into ``sla`` warning and breach events in the inbox.

One Lua script pops the due members of the deadlines sorted set, appends one ``SlaSignal``
(``gridwall/contract/events.py``) per due item of each plan to the inbox, and puts back what is left
of the plan, all atomically. Redis runs scripts one at a time, so with any number of clocks and
across restarts every planned signal is appended exactly once: a clock killed mid-tick either
ran the script (and the signals are in the inbox) or did not (and they are still due). The
event ids are derived from the plan item, so the processor's idempotency catches the rest.

The loop holds no state: ``gridwall worker`` runs it beside the processor; run it on several
workers for failover.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import redis

from gridwall.contract.events import SCHEMA_VERSION
from gridwall.engine.sla.calendar import WorkCalendar
from gridwall.platform.keys import Keys
from gridwall.platform.settings import SlaSettings

log = logging.getLogger(__name__)

SOURCE = "sla-clock"

#: KEYS: due sorted set, plans hash, inbox. ARGV: now ms, now ISO, most members, version.
_TICK = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local now = tonumber(ARGV[1])
local version = tonumber(ARGV[4])
local sent = 0
for _, member in ipairs(due) do
  local raw = redis.call('HGET', KEYS[2], member)
  if not raw then
    redis.call('ZREM', KEYS[1], member)
  else
    local plan = cjson.decode(raw)
    local rest = {}
    for _, item in ipairs(plan.q) do
      if item[4] <= now then
        local sid = plan.i .. '|' .. plan.s .. '|' .. plan.d .. '|' .. item[1] .. '|'
          .. string.format('%d', item[2]) .. '|' .. string.format('%d', item[3])
        local event = cjson.encode({
          v = version, type = 'sla', event_id = string.sub(redis.sha1hex(sid), 1, 32),
          source = 'sla-clock', source_event_id = string.sub(sid, 1, 128),
          received_at = ARGV[2], incident_id = plan.i, signal = item[1], stage = plan.s,
          threshold = item[2], ['repeat'] = item[3], deadline = plan.d, at = item[5]})
        redis.call('XADD', KEYS[3], '*', 'e', event, 'i', plan.i)
        sent = sent + 1
      else
        table.insert(rest, item)
      end
    end
    if #rest == 0 then
      redis.call('ZREM', KEYS[1], member)
      redis.call('HDEL', KEYS[2], member)
    else
      plan.q = rest
      redis.call('HSET', KEYS[2], member, cjson.encode(plan))
      redis.call('ZADD', KEYS[1], rest[1][4], member)
    end
  end
end
return {sent, #due}
"""


def clock_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


class SlaClock:
    """Fires due SLA signals; safe to run several at once."""

    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        settings: SlaSettings,
        tz: ZoneInfo,
        *,
        calendar: WorkCalendar | None = None,
        name: str | None = None,
    ) -> None:
        self.client = client
        self.keys = keys
        self.settings = settings
        self.tz = tz
        self.calendar = calendar
        self.name = name or clock_name()
        self.emitted = 0
        self.ticks = 0
        self._script = client.register_script(_TICK)
        self._last_beat = 0.0
        self._warned: set[int] = set()

    def tick(self, now: datetime | None = None) -> int:
        """Fire everything due at ``now``; returns how many signals were appended."""
        moment = now or datetime.now(self.tz)
        now_ms = round(moment.timestamp() * 1000)
        stamp = moment.astimezone(self.tz).isoformat()
        sent_total = 0
        for _round in range(self.settings.max_rounds):
            reply = self._script(
                keys=[self.keys.sla_due, self.keys.sla_plans, self.keys.inbox],
                args=[now_ms, stamp, self.settings.batch_size, SCHEMA_VERSION],
            )
            sent, popped = (int(x) for x in reply)
            sent_total += sent
            if popped < self.settings.batch_size:
                break
        self.emitted += sent_total
        self.ticks += 1
        return sent_total

    def pending(self) -> int:
        return int(self.client.zcard(self.keys.sla_due))

    def missing_years(self, now: datetime) -> list[int]:
        if self.calendar is None:
            return []
        return self.calendar.missing_years([now.year, now.year + 1])

    def beat(self, now: datetime) -> None:
        missing = self.missing_years(now)
        for year in missing:
            if year not in self._warned:
                self._warned.add(year)
                log.warning(
                    "no official holiday data for %d: working time counts weekends and the "
                    "policy file's holidays/workdays only; add %d to its calendar section",
                    year,
                    year,
                )
        self.client.set(
            self.keys.heartbeat("sla-clock", self.name),
            json.dumps(
                {
                    "at": time.time(),
                    "emitted": self.emitted,
                    "pending": self.pending(),
                    "years_without_data": missing,
                }
            ),
            ex=15,
        )

    def run(self, stop: threading.Event) -> None:
        """Tick every ``sla.tick_ms`` until ``stop`` is set."""
        interval = self.settings.tick_ms / 1000
        log.info("sla clock %s watching %s", self.name, self.keys.sla_due)
        while not stop.is_set():
            started = time.monotonic()
            try:
                self.tick()
                if started - self._last_beat >= 1:
                    self._last_beat = started
                    self.beat(datetime.now(self.tz))
            except redis.ConnectionError as exc:
                log.warning("redis unavailable (%s); retrying", exc)
                stop.wait(1.0)
                continue
            stop.wait(max(0.0, interval - (time.monotonic() - started)))
