"""One batch's writes as one Lua script call: the processor's commit, cheap per command.

Queuing hundreds of commands per batch in a redis-py pipeline costs far more in the client
(packing every argument, parsing every reply) than in Redis. ``Writes`` collects the same
commands through the same method names the pipeline has (``set``, ``zadd``, ``hincrby``,
``xadd`` ...), and ``queue()`` sends them all as one ``EVALSHA`` whose commands travel as one
JSON argument, inside the processor's MULTI/EXEC: still atomic
with the XACK, still guarded by the WATCH on the documents, every key declared in ``KEYS``
(they share the county's hash tag, so the script stays legal on Redis Cluster).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import redis
from redis.commands.core import Script

#: KEYS: the distinct keys written. ARGV[1]: JSON list of ops ``[command, key index, args...]``;
#: an argument ``{"a": n}`` stands for ARGV[n] (bytes, and long values).
_APPLY = """
local ops = cjson.decode(ARGV[1])
for _, op in ipairs(ops) do
  local args = {KEYS[op[2]]}
  for i = 3, #op do
    local value = op[i]
    if type(value) == 'table' then value = ARGV[value.a] end
    args[#args + 1] = value
  end
  redis.call(op[1], unpack(args))
end
return #ops
"""

Value = str | bytes | int | float

#: Arguments longer than this (documents, summaries) travel as their own ARGV entry: cheaper
#: than escaping them inside the JSON of the commands.
BLOB = 256


def register(client: redis.Redis) -> Script:
    return client.register_script(_APPLY)


class Writes:
    """Commands collected for one script call."""

    def __init__(self) -> None:
        self._keys: dict[str, int] = {}
        self._ops: list[list[Any]] = []
        self._blobs: list[bytes] = []

    @property
    def count(self) -> int:
        return len(self._ops)

    def _op(self, command: str, key: str, *args: Value) -> None:
        """A command whose arguments are short strings or numbers."""
        self._ops.append(
            [command, self._keys.setdefault(key, len(self._keys) + 1), *map(str, args)]
        )

    def _op_values(self, command: str, key: str, *args: Value) -> None:
        """A command that may carry long values or bytes (documents, payloads)."""
        index = self._keys.setdefault(key, len(self._keys) + 1)
        op: list[Any] = [command, index]
        for arg in args:
            if isinstance(arg, bytes) or (isinstance(arg, str) and len(arg) > BLOB):
                self._blobs.append(arg.encode() if isinstance(arg, str) else arg)
                op.append({"a": len(self._blobs) + 1})
            else:
                op.append(str(arg))
        self._ops.append(op)

    # -- the pipeline methods the processor uses --------------------------------------------
    def set(self, key: str, value: Value) -> None:
        self._op_values("SET", key, value)

    def expire(self, key: str, seconds: int) -> None:
        self._op("EXPIRE", key, seconds)

    def zadd(self, key: str, mapping: Mapping[str, float]) -> None:
        flat: list[Value] = []
        for member, score in mapping.items():
            flat += [score, member]
        self._op("ZADD", key, *flat)

    def zrem(self, key: str, *members: str) -> None:
        self._op("ZREM", key, *members)

    def zremrangebyrank(self, key: str, start: int, stop: int) -> None:
        self._op("ZREMRANGEBYRANK", key, start, stop)

    def hincrby(self, key: str, field: str, amount: int = 1) -> None:
        self._op("HINCRBY", key, field, amount)

    def hset(self, key: str, field: str, value: Value) -> None:
        self._op_values("HSET", key, field, value)

    def hdel(self, key: str, *fields: str) -> None:
        self._op("HDEL", key, *fields)

    def sadd(self, key: str, *members: str) -> None:
        self._op("SADD", key, *members)

    def srem(self, key: str, *members: str) -> None:
        self._op("SREM", key, *members)

    def xadd(
        self,
        key: str,
        fields: Mapping[str, Value],
        maxlen: int | None = None,
        approximate: bool = True,
    ) -> None:
        head: list[Value] = ["MAXLEN", "~" if approximate else "=", maxlen] if maxlen else []
        flat: list[Value] = []
        for name, value in fields.items():
            flat += [name, value]
        self._op_values("XADD", key, *head, "*", *flat)

    # -- sending ------------------------------------------------------------------------
    def queue(self, pipe: Any, script: Script) -> None:
        """Queue the collected commands as one script call on ``pipe`` (after MULTI)."""
        if self._ops:
            payload = json.dumps(self._ops, ensure_ascii=False)
            script(keys=list(self._keys), args=[payload, *self._blobs], client=pipe)
