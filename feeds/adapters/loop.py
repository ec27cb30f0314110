"""The thin loop every client adapter shares: connect, consume, and on any failure record it
in the source's health and reconnect after an exponential backoff with jitter.

A subclass implements ``session()``: connect, call ``self.connected()`` once the upstream
answers, consume until the upstream goes away (return) or fails (raise). ``stop()`` cancels.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random

from feeds.adapters.backoff import Backoff
from feeds.adapters.base import AdapterStatus
from feeds.sources.sink import FeedSink

log = logging.getLogger(__name__)


class ClientLoop:
    source_id: str

    def __init__(self, source_id: str, sink: FeedSink, *, rng: random.Random | None = None):
        self.source_id = source_id
        self.sink = sink
        feeds = sink.rt.settings.feeds
        self.backoff = Backoff(
            feeds.reconnect_base_s, feeds.reconnect_max_s, rng or random.Random()
        )
        self._task: asyncio.Task[None] | None = None
        self._status = AdapterStatus("stopped", connected=False)
        self.sessions = 0

    async def session(self) -> None:  # pragma: no cover - implemented by each adapter
        raise NotImplementedError

    async def start(self) -> None:
        self._status = AdapterStatus("connecting", connected=False)
        self._task = asyncio.create_task(self._run(), name=f"adapter-{self.source_id}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self.sink.health.connected, self.source_id, False)
        self._status = AdapterStatus("stopped", connected=False)

    def health(self) -> AdapterStatus:
        return self._status

    async def connected(self) -> None:
        """The upstream answered: reset the backoff and say so in the health."""
        self.backoff.reset()
        self._status = AdapterStatus("running", connected=True)
        await asyncio.to_thread(self.sink.health.connected, self.source_id, True)

    async def _lost(self, reason: str) -> None:
        self._status = AdapterStatus("connecting", connected=False, detail=reason)
        with contextlib.suppress(Exception):
            await asyncio.to_thread(self.sink.health.connected, self.source_id, False, reason)

    async def _run(self) -> None:
        while True:
            self.sessions += 1
            try:
                await self.session()
                reason = "upstream closed the connection"
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                reason = f"{type(exc).__name__}: {exc}"[:300]
                log.info("%s: %s", self.source_id, reason)
            await self._lost(reason)
            await asyncio.sleep(self.backoff.next_delay())
