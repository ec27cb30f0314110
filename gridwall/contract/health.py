"""Source health: last event, events per minute, errors, dead letters, connected or not.

Every feed records here (``HealthRecorder``); ``GET /api/v1/sources`` and the wall's feed-health
panel read it (``read_health``). Counters are kept in memory and written at most every
``feeds.health_flush_s`` (and by the supervisor's flusher), so a busy intake pays one small
pipeline per second instead of one per event. Several processes add up: totals are HINCRBY.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import redis

from gridwall.platform.keys import Keys

#: Minute counters live this long (the rate reads the last complete minute).
MINUTE_TTL_S = 300
#: Longest error text kept.
REASON_MAX = 300


@dataclass
class _Pending:
    events: int = 0
    errors: int = 0
    deadletters: int = 0
    last_event_at: float | None = None
    last_error: tuple[float, str] | None = None
    minutes: dict[int, int] = field(default_factory=lambda: defaultdict(int))


class HealthRecorder:
    """Collects health counters of sources in memory and writes them in batches."""

    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        flush_s: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self._keys = keys
        self._flush_s = flush_s
        self._clock = clock
        self._lock = threading.Lock()
        self._pending: dict[str, _Pending] = {}
        self._last_flush = clock()

    # -- recording ---------------------------------------------------------------------
    def event(self, source: str, count: int = 1, *, flush: bool = True) -> None:
        """``count`` events of ``source`` were accepted now (``flush=False``: leave the write
        to the periodic flusher, for callers on the event loop — unless the interval is 0,
        which means "write at once" everywhere)."""
        now = self._clock()
        with self._lock:
            item = self._pending.setdefault(source, _Pending())
            item.events += count
            item.last_event_at = now
            item.minutes[int(now // 60)] += count
        if flush or not self._flush_s:
            self._maybe_flush(now)

    def error(self, source: str, reason: str, *, dead_letter: bool = False) -> None:
        """Something went wrong for ``source`` (a refusal is also a dead letter)."""
        now = self._clock()
        with self._lock:
            item = self._pending.setdefault(source, _Pending())
            item.errors += 1
            item.deadletters += int(dead_letter)
            item.last_error = (now, reason[:REASON_MAX])
        self._maybe_flush(now)

    def connected(self, source: str, up: bool, reason: str = "") -> None:
        """A client adapter connected or lost its upstream; written at once."""
        now = self._clock()
        mapping: dict[Any, Any] = {"connected": int(up), "connected_at": now}
        if not up and reason:
            mapping["last_error"] = reason[:REASON_MAX]
            mapping["last_error_at"] = now
        pipe = self._client.pipeline(transaction=False)
        pipe.sadd(self._keys.source_index, source)
        pipe.hset(self._keys.source_health(source), mapping=mapping)
        pipe.execute()

    def _maybe_flush(self, now: float) -> None:
        if now - self._last_flush >= self._flush_s:
            self.flush()

    def flush(self) -> None:
        """Write what was collected since the last flush."""
        with self._lock:
            pending, self._pending = self._pending, {}
            self._last_flush = self._clock()
        if not pending:
            return
        pipe = self._client.pipeline(transaction=False)
        pipe.sadd(self._keys.source_index, *pending)
        for source, item in pending.items():
            key = self._keys.source_health(source)
            for name in ("events", "errors", "deadletters"):
                value = getattr(item, name)
                if value:
                    pipe.hincrby(key, name, value)
            if item.last_event_at is not None:
                pipe.hset(key, "last_event_at", item.last_event_at)
            if item.last_error is not None:
                at, reason = item.last_error
                pipe.hset(key, mapping={"last_error_at": at, "last_error": reason})
            for minute, count in item.minutes.items():
                counter = self._keys.source_minute(source, minute)
                pipe.incrby(counter, count)
                pipe.expire(counter, MINUTE_TTL_S)
        pipe.execute()


@dataclass(frozen=True)
class SourceHealth:
    """What the health panel shows for one source."""

    id: str
    type: str | None
    name: str
    enabled: bool
    configured: bool
    status: str
    connected: bool | None
    last_event_at: float | None
    events_total: int
    events_per_minute: int
    errors_total: int
    deadletters_total: int
    last_error: str | None
    last_error_at: float | None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class SourceInfo:
    """The configured facts of a source that health reports beside the counters."""

    id: str
    type: str
    name: str = ""
    enabled: bool = True
    client: bool = False  # a client adapter (connects out): its connection state matters


def status_of(
    info: SourceInfo | None, stored: dict[str, str], now: float, idle_after_s: float
) -> str:
    """One word for the panel: disabled, down, error, idle, ok or unknown (never heard of)."""
    if info is not None and not info.enabled:
        return "disabled"
    if info is not None and info.client and stored.get("connected") == "0":
        return "down"
    last_error = float(stored.get("last_error_at", 0) or 0)
    last_event = float(stored.get("last_event_at", 0) or 0)
    if last_error and last_error > last_event and now - last_error < idle_after_s:
        return "error"
    if not last_event:
        return (
            "ok"
            if info is not None and info.client and stored.get("connected") == "1"
            else ("unknown")
        )
    return "idle" if now - last_event > idle_after_s else "ok"


def read_health(
    client: redis.Redis,
    keys: Keys,
    configured: Iterable[SourceInfo],
    now: float,
    idle_after_s: float,
) -> list[SourceHealth]:
    """Health of every configured source and of every source that ever reported."""
    infos = {info.id: info for info in configured}
    known = {_text(s) for s in client.smembers(keys.source_index)}
    ids = sorted(set(infos) | known)
    minute = int(now // 60) - 1
    pipe = client.pipeline(transaction=False)
    for source in ids:
        pipe.hgetall(keys.source_health(source))
        pipe.get(keys.source_minute(source, minute))
    replies = pipe.execute()
    found = []
    for index, source in enumerate(ids):
        raw, per_minute = replies[2 * index], replies[2 * index + 1]
        stored = {_text(k): _text(v) for k, v in raw.items()}
        info = infos.get(source)
        connected = stored.get("connected")
        found.append(
            SourceHealth(
                id=source,
                type=info.type if info else None,
                name=info.name if info else "",
                enabled=info.enabled if info else True,
                configured=info is not None,
                status=status_of(info, stored, now, idle_after_s),
                connected=None if connected is None else connected == "1",
                last_event_at=_float(stored.get("last_event_at")),
                events_total=int(stored.get("events", 0)),
                events_per_minute=int(per_minute or 0),
                errors_total=int(stored.get("errors", 0)),
                deadletters_total=int(stored.get("deadletters", 0)),
                last_error=stored.get("last_error"),
                last_error_at=_float(stored.get("last_error_at")),
            )
        )
    return found


def read_unknown_cameras(client: redis.Redis, keys: Keys, limit: int = 200) -> list[dict[str, Any]]:
    """Device identities that sent alarms or heartbeats but are not in the registry."""
    pipe = client.pipeline(transaction=False)
    pipe.hgetall(keys.cameras_unknown)
    pipe.hgetall(keys.cameras_unknown_count)
    seen, counts = pipe.execute()
    rows = []
    for ident, raw in seen.items():
        name = _text(ident)
        record = json.loads(raw)
        record["identity"] = name
        record["count"] = int(counts.get(ident, 0))
        rows.append(record)
    rows.sort(key=lambda r: -float(r.get("last_seen", 0)))
    return rows[:limit]


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _float(value: str | None) -> float | None:
    return None if value in (None, "") else float(value)
