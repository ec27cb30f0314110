"""The push hub: one reader of the wall's streams per server process, fanning out to walls.

The hub blocks on the changes, alarm-changes and acknowledgement streams (one XREAD for the
three), feeds what it reads to the ``SnapshotBuilder``, coalesces bursts (a new snapshot at
most every ``coalesce_ms``, the first change of a quiet spell at once) and publishes a
``Snapshot`` read once per tick for every connected screen. Each wall connection holds a
``Subscription`` that keeps only the newest snapshot and the changes since it last looked, so
a slow screen can never make the hub's memory grow. Every ``resync_s`` it publishes anyway;
every ``reindex_s`` it re-reads the open incidents in the background; after losing Redis it
starts over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, cast

import redis

from dashboard.queries import Queries
from dashboard.wall.snapshot import Change, Snapshot, SnapshotBuilder
from gridwall.contract.health import SourceInfo

log = logging.getLogger(__name__)

#: Most changes a subscription keeps between two looks (older ones are summarized by the
#: snapshot anyway).
MAX_PENDING_CHANGES = 200
#: How long shutdown waits for the hub's task to end.
STOP_TIMEOUT_S = 2.0

__all__ = ["Change", "PushHub", "Snapshot", "Subscription"]


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
        *,
        reader: Callable[[], Awaitable[Snapshot]] | None = None,
        source_infos: Callable[[], list[SourceInfo]] | None = None,
    ) -> None:
        self.q = queries
        self.coalesce_s = coalesce_ms / 1000
        self.resync_s = resync_s
        self.reindex_s = queries.rt.settings.wall.reindex_s
        self.recent = recent
        self.builder = SnapshotBuilder(queries, recent, source_infos)
        self._read = reader or self.builder.build
        self._subscriptions: set[Subscription] = set()
        self._task: asyncio.Task[None] | None = None
        self._reindex: asyncio.Task[None] | None = None
        self._stopping = False
        self._ready = asyncio.Event()
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
        """A snapshot for a screen's first render: the newest published one when the hub
        runs (it is never older than ``resync_s``), else a fresh one."""
        if self._task is not None and not self._task.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ready.wait(), 30)
            if self.latest is not None:
                return self.latest
        if not self.builder.loaded:
            await self.builder.load()
        snap = await self._read()
        self.latest = snap
        return snap

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="gridwall-push-hub")

    async def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """Stop the loop; never hangs a server's shutdown (redis-py can swallow a cancel)."""
        await self.builder.stop()
        if self._reindex is not None:
            self._reindex.cancel()
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
        snap = await self._read()
        self.latest = snap
        self._ready.set()
        self.ticks += 1
        for sub in list(self._subscriptions):
            sub._deliver(snap, changes)

    async def _last_ids(self) -> dict[str, str]:
        keys = self.q.keys
        found = {}
        for stream in (keys.changes, keys.alarm_changes, keys.acks):
            newest = await self.q.r.xrevrange(stream, count=1)
            found[stream] = cast(bytes, newest[0][0]).decode() if newest else "0-0"
        return found

    def _take(
        self,
        streams: list[tuple[bytes, list[tuple[bytes, dict[bytes, bytes]]]]],
        ids: dict[str, str],
    ) -> tuple[list[Change], bool]:
        """Feed what XREAD returned to the builder; returns the incident changes and whether
        anything arrived."""
        keys = self.q.keys
        incidents: list[Change] = []
        arrived = False
        for raw_stream, entries in streams:
            stream = raw_stream.decode()
            found = [Change.of(fields) for _id, fields in entries]
            ids[stream] = entries[-1][0].decode()
            arrived = arrived or bool(entries)
            if stream == keys.changes:
                incidents += found
            elif stream == keys.alarm_changes:
                self.builder.apply_alarm_changes(found)
        self.builder.apply_changes(incidents)
        return incidents, arrived

    def _maybe_reindex(self, last_index: float) -> float:
        now = time.monotonic()
        if now - last_index < self.reindex_s or (self._reindex and not self._reindex.done()):
            return last_index
        self._reindex = asyncio.create_task(self.builder.load(), name="gridwall-wall-reindex")
        return now

    async def _run(self) -> None:
        ids: dict[str, str] | None = None
        pending: list[Change] = []
        due = False
        last_publish = last_index = time.monotonic()
        while not self._stopping:
            try:
                if ids is None:
                    ids = await self._last_ids()
                    await self.builder.load()  # after the stream positions: nothing is missed
                    await self._publish([])  # resync everyone after a (re)start
                    last_publish = last_index = time.monotonic()
                wait = self.coalesce_s - (time.monotonic() - last_publish) if due else 1.0
                reply = await self.q.r.xread(
                    cast(Any, ids), count=1000, block=max(1, int(wait * 1000))
                )
                streams = cast(list[tuple[bytes, list[tuple[bytes, dict[bytes, bytes]]]]], reply)
                changes, arrived = self._take(streams or [], ids)
                pending += changes
                due = due or arrived or self.builder.dirty
                now = time.monotonic()
                if (due and now - last_publish >= self.coalesce_s) or (
                    now - last_publish >= self.resync_s
                ):
                    self.builder.dirty = False
                    await self._publish(pending)
                    pending, due, last_publish = [], False, now
                last_index = self._maybe_reindex(last_index)
            except asyncio.CancelledError:
                raise
            except (redis.RedisError, OSError) as exc:
                log.warning("push hub lost redis (%s); retrying", exc)
                ids = None
                await asyncio.sleep(1.0)
