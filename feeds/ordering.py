"""Per-incident order across processors: a batch waits for older entries of its incidents.

Processors share the inbox's consumer group, so two events of one incident can be read by two
processors: the older one (``e1``, an accept) by A, the newer one (``e2``, a dispatch) by B a
moment later. The WATCH on the documents keeps either from overwriting the other, but if B
committed before A, ``e2`` would be applied to the incident as it was before ``e1`` (a
dispatch refused, because the case is not accepted yet).

So before reading its documents a processor asks (``older_in_flight``, one read-only script)
whether an entry *older* than its batch, of one of its batch's incidents, is still pending with
another consumer. Entries are delivered in stream order, so once B's entries are delivered, the
older pending ones can only be acknowledged (committed) or claimed: when none is left for B's
incidents, every older event of them is in the documents B reads. While one is left, B waits
for it; if it has been idle for ``processor.claim_idle_ms`` (its consumer died), B reclaims and
applies it first. With one processor the script finds nothing (one round trip per batch).
An incident whose first event in the batch is its report needs no wait: a report is the first
entry of its incident (the intake numbers the incident when it appends the report).
"""

from __future__ import annotations

from dataclasses import dataclass

import redis

from feeds.keys import PROCESSOR_GROUP, Keys

#: KEYS[1]: the inbox. ARGV: group, our first entry id, our consumer name, page size, then our
#: incident ids. Returns id, idle ms, id, idle ms ... of the older pending entries of another
#: consumer that concern one of our incidents.
_OLDER = """
local found = {}
local start = '-'
local page = tonumber(ARGV[4])
local ours = nil
local function incident(fields)
  for j = 1, #fields - 1, 2 do
    if fields[j] == 'i' then return fields[j + 1] end
  end
end
while true do
  local pending = redis.call('XPENDING', KEYS[1], ARGV[1], start, '(' .. ARGV[2], page)
  local n = #pending
  if n > 0 then
    if ours == nil then
      ours = {}
      for i = 5, #ARGV do ours[ARGV[i]] = true end
    end
    -- a consumer's batch is a run of the stream: read it in one range, then the stragglers
    local known = {}
    local run = redis.call('XRANGE', KEYS[1], pending[1][1], pending[n][1], 'COUNT', 2 * n)
    for _, entry in ipairs(run) do known[entry[1]] = incident(entry[2]) or '' end
    for _, item in ipairs(pending) do
      if item[2] ~= ARGV[3] then
        local id = known[item[1]]
        if id == nil then
          local entry = redis.call('XRANGE', KEYS[1], item[1], item[1])
          id = entry[1] and incident(entry[1][2]) or ''
        end
        if ours[id] then
          found[#found + 1] = item[1]
          found[#found + 1] = item[3]
        end
      end
    end
  end
  if n < page then return found end
  start = '(' .. pending[n][1]
end
"""


@dataclass(frozen=True)
class InFlight:
    """Older pending entries of our incidents: how many, and whether one is stale."""

    entries: int
    stale: bool


class OrderGuard:
    def __init__(self, client: redis.Redis, keys: Keys, consumer: str, claim_idle_ms: int):
        self._client = client
        self._script = client.register_script(_OLDER)
        self._keys = keys
        self._consumer = consumer
        self._claim_idle_ms = claim_idle_ms

    def older_in_flight(self, first_id: str, incident_ids: list[str]) -> InFlight:
        """Entries older than ``first_id`` of these incidents, pending with another consumer."""
        if not incident_ids:
            return InFlight(0, stale=False)
        older = self._client.xpending_range(
            self._keys.inbox, PROCESSOR_GROUP, min="-", max=f"({first_id}", count=1
        )
        if not older:  # the common case with one processor: one cheap round trip
            return InFlight(0, stale=False)
        reply = self._script(
            keys=[self._keys.inbox],
            args=[PROCESSOR_GROUP, first_id, self._consumer, 1000, *incident_ids],
        )
        idles = [int(idle) for idle in reply[1::2]]
        return InFlight(len(idles), stale=any(i >= self._claim_idle_ms for i in idles))
