"""One batch's writes, merged per key: the processor's commit, cheap per command.

``Writes`` collects the processor's commands through the method names a redis-py pipeline has
(``set``, ``zadd``, ``hincrby``, ``xadd`` ...) and ``queue()`` puts them on the processor's
MULTI/EXEC: atomic with the XACK, guarded by the WATCH on the documents.

Commands on the same key are merged before they are sent, because the state they leave is all
that counts inside one transaction: the last ``SET`` of a key wins and the documents travel in
``MSET`` commands of a few each; for a sorted set, a set or a hash the last operation on each
member (field) wins and the members travel in one ``ZADD``/
``ZREM``, ``SADD``/``SREM``, ``HSET``/``HDEL`` per key; ``HINCRBY`` amounts of one field are
summed. A sorted set's ``ZREMRANGEBYRANK`` runs once, after its adds, and ``EXPIRE`` runs last:
the same state as long as a trimmed set is only ever added to and trimmed to the same size
after each add (the recent index) and an ``EXPIRE`` follows a write of its key (the daily
counters). Stream entries keep their order, one ``XADD`` each, and a stream's length cap
(``MAXLEN``) is applied once after them (``XTRIM``). A batch of 500 transitions sends about
650 commands instead of about 6,000.

They are sent as plain commands inside the MULTI, not as a Lua script: measured on a batch of
500 transitions, a script reading the same commands from its arguments cost Redis twice the CPU
(about 40 µs a transition instead of 20, AOF off), for 5 µs of client time saved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import hiredis
import redis
from redis.exceptions import ExecAbortError

Value = str | bytes | int | float
#: One command to send: its name, its key and its other arguments.
Command = tuple[str, str, list[Value]]

#: Most arguments one merged command carries (even; a huge command blocks Redis at once).
CHUNK = 2000
#: Most bytes of values in one ``MSET``: hiredis packs a command of up to ~32 KB at memory
#: speed, a larger one about 20 times slower (0.45 µs a 5 KB document, 9 µs past 64 KB).
PACKED = 24_000

_ADD, _REMOVE = True, False


class Writes:
    """Commands collected for one script call, merged per key (see the module docstring)."""

    def __init__(self) -> None:
        self._strings: dict[str, Value] = {}
        self._zsets: dict[str, dict[str, float | None]] = {}
        self._trims: dict[str, tuple[int, int]] = {}
        self._sets: dict[str, dict[str, bool]] = {}
        self._hashes: dict[str, dict[str, Value | None]] = {}
        self._counters: dict[tuple[str, str], int] = {}
        self._streams: list[tuple[str, list[Value]]] = []
        self._caps: dict[str, list[Value]] = {}
        self._expires: dict[str, int] = {}
        self._calls = 0

    @property
    def count(self) -> int:
        """Commands collected (before merging)."""
        return self._calls

    # -- the pipeline methods the processor uses --------------------------------------------
    def set(self, key: str, value: Value) -> None:
        self._calls += 1
        self._strings[key] = value

    def expire(self, key: str, seconds: int) -> None:
        self._calls += 1
        self._expires[key] = seconds

    def zadd(self, key: str, mapping: Mapping[str, float]) -> None:
        self._calls += 1
        members = self._zsets.setdefault(key, {})
        for member, score in mapping.items():
            members[member] = score

    def zrem(self, key: str, *members: str) -> None:
        self._calls += 1
        found = self._zsets.setdefault(key, {})
        for member in members:
            found[member] = None

    def zremrangebyrank(self, key: str, start: int, stop: int) -> None:
        self._calls += 1
        self._trims[key] = (start, stop)

    def hincrby(self, key: str, field: str, amount: int = 1) -> None:
        self._calls += 1
        self._counters[key, field] = self._counters.get((key, field), 0) + amount

    def hset(self, key: str, field: str, value: Value) -> None:
        self._calls += 1
        self._hashes.setdefault(key, {})[field] = value

    def hdel(self, key: str, *fields: str) -> None:
        self._calls += 1
        found = self._hashes.setdefault(key, {})
        for name in fields:
            found[name] = None

    def sadd(self, key: str, *members: str) -> None:
        self._calls += 1
        found = self._sets.setdefault(key, {})
        for member in members:
            found[member] = _ADD

    def srem(self, key: str, *members: str) -> None:
        self._calls += 1
        found = self._sets.setdefault(key, {})
        for member in members:
            found[member] = _REMOVE

    def xadd(
        self,
        key: str,
        fields: Mapping[str, Value],
        maxlen: int | None = None,
        approximate: bool = True,
    ) -> None:
        self._calls += 1
        args: list[Value] = ["*"]
        for name, value in fields.items():
            args += [name, value]
        self._streams.append((key, args))
        if maxlen:
            self._caps[key] = ["MAXLEN", "~" if approximate else "=", maxlen]

    # -- sending ------------------------------------------------------------------------
    def commands(self) -> list[Command]:
        """The merged commands, in the order they run: ``(command, key, arguments)``."""
        out: list[Command] = []
        out += self._msets()
        for key, members in self._zsets.items():
            out += _chunked("ZREM", key, [m for m, score in members.items() if score is None])
            out += _chunked("ZADD", key, _flat((s, m) for m, s in members.items() if s is not None))
        out += [("ZREMRANGEBYRANK", key, [*span]) for key, span in self._trims.items()]
        for key, state in self._sets.items():
            out += _chunked("SREM", key, [m for m, add in state.items() if not add])
            out += _chunked("SADD", key, [m for m, add in state.items() if add])
        for key, fields in self._hashes.items():
            out += _chunked("HDEL", key, [f for f, v in fields.items() if v is None])
            out += _chunked("HSET", key, _flat((f, v) for f, v in fields.items() if v is not None))
        out += [("HINCRBY", key, [name, n]) for (key, name), n in self._counters.items()]
        out += [("XADD", key, args) for key, args in self._streams]
        out += [("XTRIM", key, cap) for key, cap in self._caps.items()]
        out += [("EXPIRE", key, [seconds]) for key, seconds in self._expires.items()]
        return out

    def _msets(self) -> list[Command]:
        """The strings in ``MSET`` commands of at most ``PACKED`` bytes each."""
        out: list[Command] = []
        pairs: list[Value] = []
        size = 0
        for key, value in self._strings.items():
            length = len(value) if isinstance(value, str | bytes) else 8
            if pairs and size + length > PACKED:
                out.append(("MSET", str(pairs[0]), pairs[1:]))
                pairs, size = [], 0
            pairs += [key, value]
            size += length + len(key)
        if pairs:
            out.append(("MSET", str(pairs[0]), pairs[1:]))
        return out

    def queue(self, pipe: Any) -> None:
        """Queue the merged commands on ``pipe`` (after MULTI)."""
        for command, key, args in self.commands():
            pipe.execute_command(command, key, *args)


def _flat(pairs: Iterable[tuple[Value, Value]]) -> list[Value]:
    return [x for pair in pairs for x in pair]


def _chunked(command: str, key: str, args: list[Value]) -> list[Command]:
    """``command key args...`` split so no call carries more than ``CHUNK`` arguments (even,
    so pairs stay together)."""
    return [(command, key, args[at : at + CHUNK]) for at in range(0, len(args), CHUNK)]


#: What ``execute_transaction`` uses of redis-py's ``Pipeline`` beyond its public API. The
#: version is pinned (pyproject.toml) and ``tests/test_library_contracts.py`` checks these
#: against the installed redis-py; a redis-py without them stops the import with this list.
PIPELINE_INTERNALS = (
    "command_stack", "scripts", "load_scripts", "connection", "connection_pool", "watching",
    "reset",
)  # fmt: skip


def missing_pipeline_internals() -> list[str]:
    probe = redis.Redis().pipeline(transaction=True)
    return [name for name in PIPELINE_INTERNALS if not hasattr(probe, name)]


_MISSING = missing_pipeline_internals()
if _MISSING:  # pragma: no cover - only with an unsupported redis-py
    raise ImportError(
        f"redis-py {redis.__version__} lacks Pipeline internals the processor's write path uses "
        f"({', '.join(_MISSING)}): install the version pyproject.toml pins"
    )


def execute_transaction(pipe: Any, writes: Writes | None = None) -> None:
    """``pipe.execute()`` for the processor's MULTI/EXEC, with less work per command.

    ``writes``, when given, run first inside the transaction, packed straight from their
    merged commands (the same as ``writes.queue(pipe)`` before the pipe's other commands,
    without queueing each on the pipe).

    redis-py spends about 10 µs of Python per queued command (packing every argument, reading
    each ``QUEUED``, running reply callbacks). The processor's transaction holds a thousand
    commands whose replies it does not need, so here they are packed by hiredis, sent in one
    write, and only the errors are looked at. The same guarantees: the scripts are loaded
    first, a changed WATCHed key raises ``WatchError`` (nothing was applied), an error inside
    the transaction raises it, a broken connection is dropped and raises.
    """
    stack = pipe.command_stack
    if pipe.scripts:
        pipe.load_scripts()
    conn = pipe.connection
    if conn is None:  # nothing was WATCHed: take a connection like execute() does
        conn = pipe.connection = pipe.connection_pool.get_connection()
    packed = [hiredis.pack_command(("MULTI",))]
    queued = len(stack)
    if writes is not None:
        commands = writes.commands()
        queued += len(commands)
        packed += [hiredis.pack_command(_args(name, key, args)) for name, key, args in commands]
    packed += [hiredis.pack_command(tuple(args)) for args, _options in stack]
    packed.append(hiredis.pack_command(("EXEC",)))
    try:
        conn.send_packed_command([b"".join(packed)], check_health=False)
        refused = [e for e in [_read(conn) for _ in range(queued + 1)] if e is not None]
        try:
            replies = conn.read_response()  # MULTI's and every QUEUED reply were read above
        except ExecAbortError:
            raise (refused or [redis.ResponseError("transaction aborted")])[0] from None
    except (redis.ConnectionError, redis.TimeoutError):
        conn.disconnect()
        raise
    finally:
        pipe.watching = False
    if replies is None:
        raise redis.WatchError("Watched variable changed.")
    for reply in replies:
        if isinstance(reply, Exception):
            raise reply
    pipe.reset()


def _args(name: str, key: str, args: list[Value]) -> Any:
    """One command as hiredis packs it (its stub types the tuple as one element)."""
    return (name, key, *args)


def _read(conn: Any) -> redis.ResponseError | None:
    """One reply of a queued command: ``QUEUED``, or the error refusing it."""
    try:
        conn.read_response()
    except redis.ResponseError as exc:
        return exc
    return None
