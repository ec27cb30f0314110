"""Writes of one processor batch, gathered and sent as a handful of commands.

A batch of a thousand events used to queue some fifteen Redis commands per event (documents,
index members, counters, changes-stream entries); packing and parsing them dominated the
processor's time. ``BatchWrites`` takes the same calls (``set``, ``hincrby``, ``zadd``, ``zrem``,
``zremrangebyrank``, ``expire``, ``xadd``) and ``flush`` queues their net effect on the batch's
transaction: one MSET, one script call for every counter, one ZADD/ZREM per sorted set, one
script call per stream (entries in order). The final state is the same as the calls applied
one by one: counters add up, a member added then removed ends removed, trims run after adds.
Only Redis 6.2 commands; every key is the county's (one hash slot), so MSET and multi-key
scripts are legal on a cluster too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import redis

_HINCRBY_MANY = """
local at = 1
for k = 1, #KEYS do
  local n = tonumber(ARGV[at])
  for i = 1, n do
    redis.call('HINCRBY', KEYS[k], ARGV[at + 2 * i - 1], ARGV[at + 2 * i])
  end
  at = at + 1 + 2 * n
end
return at
"""
_XADD_MANY = """
local maxlen = ARGV[1]
local at = 2
while at <= #ARGV do
  local n = tonumber(ARGV[at])
  local fields = {}
  for i = 1, 2 * n do fields[i] = ARGV[at + i] end
  if maxlen == '' then
    redis.call('XADD', KEYS[1], '*', unpack(fields))
  else
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', unpack(fields))
  end
  at = at + 1 + 2 * n
end
return at
"""


class BatchWrites:
    def __init__(self, client: redis.Redis) -> None:
        self._hincrby_many = client.register_script(_HINCRBY_MANY)
        self._xadd_many = client.register_script(_XADD_MANY)
        self._sets: dict[str, Any] = {}
        self._counters: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self._zsets: dict[str, dict[str, float | None]] = defaultdict(dict)
        self._trims: dict[str, tuple[int, int]] = {}
        self._expires: dict[str, int] = {}
        self._streams: dict[str, tuple[int | None, list[Mapping[str, Any]]]] = {}

    # -- the calls, as on a pipeline -----------------------------------------------------
    def set(self, key: str, value: Any) -> None:
        self._sets[key] = value

    def hincrby(self, key: str, field: str, amount: int = 1) -> None:
        self._counters[key][field] += amount

    def zadd(self, key: str, mapping: Mapping[str, float]) -> None:
        self._zsets[key].update(mapping)

    def zrem(self, key: str, *members: str) -> None:
        for member in members:
            self._zsets[key][member] = None

    def zremrangebyrank(self, key: str, start: int, end: int) -> None:
        self._trims[key] = (start, end)

    def expire(self, key: str, seconds: int) -> None:
        self._expires[key] = seconds

    def xadd(
        self,
        name: str,
        fields: Mapping[str, Any],
        maxlen: int | None = None,
        approximate: bool = True,
    ) -> None:
        previous = self._streams.get(name)
        entries = previous[1] if previous else []
        entries.append(fields)
        self._streams[name] = (maxlen, entries)

    # -- the net effect ------------------------------------------------------------------
    def flush(self, pipe: Any) -> None:
        """Queue everything on ``pipe`` (a transaction in MULTI) and forget it."""
        if len(self._sets) == 1:
            ((key, value),) = self._sets.items()
            pipe.set(key, value)
        elif self._sets:
            pipe.mset(self._sets)
        self._flush_counters(pipe)
        for key, members in self._zsets.items():
            added = {m: s for m, s in members.items() if s is not None}
            removed = [m for m, s in members.items() if s is None]
            if added:
                pipe.zadd(key, added)
            if removed:
                pipe.zrem(key, *removed)
        for key, (start, end) in self._trims.items():
            pipe.zremrangebyrank(key, start, end)
        for key, seconds in self._expires.items():
            pipe.expire(key, seconds)
        for name, (maxlen, entries) in self._streams.items():
            args: list[Any] = ["" if maxlen is None else maxlen]
            for fields in entries:
                args.append(len(fields))
                for field, value in fields.items():
                    args += [field, value]
            self._xadd_many(keys=[name], args=args, client=pipe)

    def _flush_counters(self, pipe: Any) -> None:
        keys: list[str] = []
        args: list[Any] = []
        for key, fields in self._counters.items():
            changed = [(f, n) for f, n in fields.items() if n]
            if not changed:
                continue
            keys.append(key)
            args.append(len(changed))
            for field, amount in changed:
                args += [field, amount]
        if keys:
            self._hincrby_many(keys=keys, args=args, client=pipe)
