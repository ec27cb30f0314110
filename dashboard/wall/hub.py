"""The push hub: one reader of the changes stream per server process, fanning out to walls.

The hub blocks on the changes stream, coalesces bursts (a new snapshot at most every
``coalesce_ms``, the first change of a quiet spell at once) and publishes a ``Snapshot`` of
the aggregates the panels show, read once per tick for every connected screen. Each wall
connection holds a ``Subscription`` that keeps only the newest snapshot and the changes since
it last looked, so a slow screen can never make the hub's memory grow.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

import redis

from dashboard.queries import Queries

log = logging.getLogger(__name__)

#: Most changes a subscription keeps between two looks (older ones are summarized by the
#: snapshot anyway).
MAX_PENDING_CHANGES = 200
#: How long shutdown waits for the hub's task to end.
STOP_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class Change:
    op: str
    id: str
    summary: dict[str, Any]


@dataclass(frozen=True)
class Snapshot:
    """What every panel needs, read in one go."""

    at: datetime
    open_count: int
    by_area: dict[str, int]
    recent: list[dict[str, Any]]
    today: dict[str, int] = field(default_factory=dict)
    #: Open incidents per SLA state (``warning`` 临期, ``overdue`` 超期, ``paused`` 挂账).
    sla: dict[str, int] = field(default_factory=dict)


async def read_snapshot(q: Queries, recent: int) -> Snapshot:
    now = q.rt.now()
    open_count, by_area, newest, today, sla = await asyncio.gather(
        q.open_count(),
        q.open_by_area(),
        q.recent(recent),
        q.day_stats(now.strftime("%Y%m%d")),
        q.sla_counts(),
    )
    return Snapshot(
        at=now, open_count=open_count, by_area=by_area, recent=newest, today=today, sla=sla
    )


class Subscription:
    def __init__(self, hub: PushHub) -> None:
        self._hub = hub
        self._event = asyncio.Event()
        self.snapshot: Snapshot | None = hub.latest
        self.changes: list[Change] = []

    def _deliver(self, snapshot: Snapshot, changes: list[Change]) -> None:
        self.snapshot = snapshot
        self.changes = (self.changes + changes)[-MAX_PENDING_CHANGES:]
        self._event.set()

    async def wait(self, timeout: float) -> tuple[Snapshot, list[Change]] | None:
        """The newest snapshot and the changes since the last call, or None on timeout."""
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
        except TimeoutError:
            return None
        self._event.clear()
        changes, self.changes = self.changes, []
        assert self.snapshot is not None
        return self.snapshot, changes

    def close(self) -> None:
        self._hub._subscriptions.discard(self)


class PushHub:
    def __init__(
        self,
        queries: Queries,
        coalesce_ms: int,
        resync_s: float,
        recent: int,
        reader: Callable[[], Awaitable[Snapshot]] | None = None,
    ) -> None:
        self.q = queries
        self.coalesce_s = coalesce_ms / 1000
        self.resync_s = resync_s
        self.recent = recent
        self._read = reader or (lambda: read_snapshot(queries, recent))
        self._subscriptions: set[Subscription] = set()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.latest: Snapshot | None = None
        self.ticks = 0

    @property
    def subscribers(self) -> int:
        return len(self._subscriptions)

    def subscribe(self) -> Subscription:
        sub = Subscription(self)
        self._subscriptions.add(sub)
        return sub

    async def snapshot(self) -> Snapshot:
        """A fresh snapshot (for a screen's first render)."""
        snap = await self._read()
        self.latest = snap
        return snap

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="gridwall-push-hub")

    async def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """Stop the loop; never hangs a server's shutdown (redis-py can swallow a cancel)."""
        if self._task is not None:
            self._stopping = True
            self._task.cancel()
            # A blocking XREAD cancelled mid-read can keep its task from finishing (seen with
            # redis-py's asyncio client); never let that hang the server's shutdown.
            done, _pending = await asyncio.wait({self._task}, timeout=timeout)
            for task in done:
                with contextlib.suppress(asyncio.CancelledError):
                    task.result()
            if not done:
                log.warning("push hub did not stop within %.0f s; leaving it", timeout)
            self._task = None

    async def _publish(self, changes: list[Change]) -> None:
        snap = await self.snapshot()
        self.ticks += 1
        for sub in list(self._subscriptions):
            sub._deliver(snap, changes)

    async def _last_id(self) -> str:
        newest = await self.q.r.xrevrange(self.q.keys.changes, count=1)
        return cast(bytes, newest[0][0]).decode() if newest else "0-0"

    async def _run(self) -> None:
        last_id: str | None = None
        pending: list[Change] = []
        last_publish = time.monotonic()
        while not self._stopping:
            try:
                if last_id is None:
                    last_id = await self._last_id()
                    await self._publish([])  # resync everyone after a (re)start
                    last_publish = time.monotonic()
                wait = self.coalesce_s - (time.monotonic() - last_publish) if pending else 1.0
                block_ms = max(1, int(wait * 1000))
                reply = await self.q.r.xread(
                    {self.q.keys.changes: last_id}, count=1000, block=block_ms
                )
                streams = cast(list[tuple[bytes, list[tuple[bytes, dict[bytes, bytes]]]]], reply)
                for _stream, entries in streams or []:
                    for entry_id, fields in entries:
                        last_id = entry_id.decode()
                        pending.append(_change(fields))
                now = time.monotonic()
                due = pending and now - last_publish >= self.coalesce_s
                if due or now - last_publish >= self.resync_s:
                    await self._publish(pending)
                    pending = []
                    last_publish = now
            except asyncio.CancelledError:
                raise
            except (redis.RedisError, OSError) as exc:
                log.warning("push hub lost redis (%s); retrying", exc)
                last_id = None
                await asyncio.sleep(1.0)


def _change(fields: dict[bytes, bytes]) -> Change:
    return Change(
        op=fields.get(b"op", b"").decode(),
        id=fields.get(b"id", b"").decode(),
        summary=json.loads(fields.get(b"s", b"{}")),
    )
