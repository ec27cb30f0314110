"""The processor's merged writes leave exactly the state the same commands leave one by one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridwall.engine.processor.batchwrite import CHUNK, Writes, execute_transaction

MEMBERS = st.sampled_from([f"m{i}" for i in range(6)])
SCORES = st.integers(min_value=0, max_value=50).map(float)

OPS = st.one_of(
    st.tuples(st.just("set"), st.sampled_from(["s1", "s2"]), st.text(max_size=5)),
    st.tuples(st.just("zadd"), st.sampled_from(["z1", "z2"]), st.dictionaries(MEMBERS, SCORES)),
    st.tuples(st.just("zrem"), st.sampled_from(["z1", "z2"]), st.lists(MEMBERS, min_size=1)),
    st.tuples(st.just("add-and-trim"), st.just("r1"), st.tuples(MEMBERS, SCORES)),
    st.tuples(st.just("sadd"), st.sampled_from(["t1", "t2"]), st.lists(MEMBERS, min_size=1)),
    st.tuples(st.just("srem"), st.sampled_from(["t1", "t2"]), st.lists(MEMBERS, min_size=1)),
    st.tuples(st.just("hset"), st.just("h1"), st.tuples(MEMBERS, st.text(max_size=3))),
    st.tuples(st.just("hdel"), st.just("h1"), st.lists(MEMBERS, min_size=1)),
    st.tuples(st.just("hincrby"), st.just("c1"), st.tuples(MEMBERS, st.integers(-3, 3))),
    st.tuples(st.just("xadd"), st.sampled_from(["x1", "x2"]), st.text(max_size=3)),
    st.tuples(
        st.just("count-and-expire"), st.just("c2"), st.tuples(MEMBERS, st.integers(100, 200))
    ),
)


def _add_and_trim(target: Any, key: str, arg: tuple[str, float]) -> None:
    """As the recent index: only added to, trimmed to the same size after each add."""
    target.zadd(key, {arg[0]: arg[1]})
    target.zremrangebyrank(key, 0, -2 - 1)


def _count_and_expire(target: Any, key: str, arg: tuple[str, int]) -> None:
    """As the daily counters: EXPIRE after a write of the key."""
    target.hincrby(key, arg[0], 1)
    target.expire(key, arg[1])


APPLY: dict[str, Callable[[Any, str, Any], None]] = {
    "set": lambda t, k, a: t.set(k, a),
    "zadd": lambda t, k, a: t.zadd(k, a) if a else None,
    "zrem": lambda t, k, a: t.zrem(k, *a),
    "add-and-trim": _add_and_trim,
    "sadd": lambda t, k, a: t.sadd(k, *a),
    "srem": lambda t, k, a: t.srem(k, *a),
    "hset": lambda t, k, a: t.hset(k, a[0], a[1]),
    "hdel": lambda t, k, a: t.hdel(k, *a),
    "hincrby": lambda t, k, a: t.hincrby(k, a[0], a[1]),
    "xadd": lambda t, k, a: t.xadd(k, {"v": a}, maxlen=1000, approximate=True),
    "count-and-expire": _count_and_expire,
}


def _run(target: Any, prefix: str, ops: list[tuple[str, str, Any]]) -> None:
    for op, name, arg in ops:
        APPLY[op](target, prefix + name, arg)


def _state(r: redis.Redis, prefix: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for raw in r.scan_iter(f"{prefix}*"):
        key = raw.decode()
        kind = r.type(key).decode()
        name = key.removeprefix(prefix)
        if kind == "string":
            found[name] = r.get(key)
        elif kind == "zset":
            found[name] = r.zrange(key, 0, -1, withscores=True)
        elif kind == "set":
            found[name] = sorted(r.smembers(key))
        elif kind == "hash":
            found[name] = r.hgetall(key)
        elif kind == "stream":
            found[name] = [fields for _id, fields in r.xrange(key)]
        found[name + ":ttl"] = r.ttl(key) > 0
    return found


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=st.lists(OPS, max_size=40))
def test_merged_writes_leave_the_state_of_the_plain_commands(
    r: redis.Redis, ops: list[tuple[str, str, Any]]
) -> None:
    r.flushdb()
    plain = r.pipeline(transaction=True)
    _run(plain, "a:", ops)
    plain.execute()
    writes = Writes()
    _run(writes, "b:", ops)
    with r.pipeline(transaction=True) as pipe:
        writes.queue(pipe)
        pipe.execute()
    assert _state(r, "b:") == _state(r, "a:")
    packed = Writes()  # the same, packed straight into the lean transaction
    _run(packed, "c:", ops)
    with r.pipeline(transaction=True) as pipe:
        pipe.multi()
        execute_transaction(pipe, packed)
    assert _state(r, "c:") == _state(r, "a:")


def test_writes_given_to_the_lean_transaction_run_before_the_pipes_commands(
    r: redis.Redis,
) -> None:
    writes = Writes()
    writes.set("order", "writes")
    writes.xadd("order:s", {"by": "writes"})
    with r.pipeline(transaction=True) as pipe:
        pipe.watch("order")
        pipe.multi()
        pipe.set("order", "pipe")
        pipe.xadd("order:s", {"by": "pipe"})
        execute_transaction(pipe, writes)
    assert r.get("order") == b"pipe"
    assert [e[1][b"by"] for e in r.xrange("order:s")] == [b"writes", b"pipe"]


def test_large_merged_commands_are_split(r: redis.Redis) -> None:
    writes = Writes()
    for n in range(CHUNK * 2):
        writes.set(f"doc:{n}", str(n) * 20)
        writes.zadd("idx", {f"m{n}": n})
        writes.sadd("set", f"m{n}")
    assert all(len(args) <= CHUNK for _cmd, _key, args in writes.commands())
    with r.pipeline(transaction=True) as pipe:
        writes.queue(pipe)
        pipe.execute()
    assert r.get("doc:3999") == b"3999" * 20
    assert r.zcard("idx") == CHUNK * 2
    assert r.scard("set") == CHUNK * 2


def test_the_lean_transaction_keeps_watch_errors_and_scripts(r: redis.Redis) -> None:
    r.set("watched", "1")
    with r.pipeline(transaction=True) as pipe:
        pipe.watch("watched")
        r.set("watched", "2")  # another writer
        pipe.multi()
        pipe.set("a", "x")
        with pytest.raises(redis.WatchError):
            execute_transaction(pipe)
    assert r.get("a") is None
    script = r.register_script("return redis.call('SET', KEYS[1], ARGV[1])")
    r.script_flush()
    with r.pipeline(transaction=True) as pipe:
        pipe.watch("watched")
        pipe.multi()
        script(keys=["b"], args=["y"], client=pipe)
        pipe.xadd("s", {"f": "v"})
        execute_transaction(pipe)
    assert r.get("b") == b"y"
    assert r.xlen("s") == 1


def test_the_lean_transaction_raises_errors(r: redis.Redis) -> None:
    r.set("text", "abc")
    with r.pipeline(transaction=True) as pipe:
        pipe.multi()
        pipe.incr("text")  # fails when it runs; the others run (Redis has no rollback)
        pipe.set("c", "z")
        with pytest.raises(redis.ResponseError):
            execute_transaction(pipe)
    assert r.get("c") == b"z"
    with r.pipeline(transaction=True) as pipe:
        pipe.multi()
        pipe.execute_command("SET", "d")  # refused when queued: nothing runs
        pipe.set("e", "z")
        with pytest.raises(redis.ResponseError):
            execute_transaction(pipe)
    assert r.get("e") is None
