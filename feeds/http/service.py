"""What the feed routes share in one process: the sink, device authentication, the adapters.

``feeds.http.mount.install`` keeps a ``FeedsService`` on ``app.state.feeds``; the server's
lifespan calls ``start``/``stop``, which run the configured listeners and clients
(``feeds.adapters.supervisor``) and the health flusher.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from fastapi import Request

from feeds.adapters.registry import SHIPPED_DEMO, FeedsFile, load_feeds
from feeds.adapters.supervisor import Supervisor
from feeds.http.devauth import DeviceAuthenticator, shared_secret
from feeds.sources.sink import FeedSink
from gridwall.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass
class FeedsService:
    feeds: FeedsFile
    sink: FeedSink
    devices: DeviceAuthenticator
    supervisor: Supervisor
    run_adapters: bool = True
    _flusher: asyncio.Task[None] | None = field(default=None, repr=False)

    @classmethod
    def create(cls, rt: Runtime, *, demo: bool = False, run_adapters: bool = True) -> FeedsService:
        path = rt.settings.feeds.file or (SHIPPED_DEMO if demo else None)
        feeds, sink = load_feeds(path), FeedSink(rt)
        devices = DeviceAuthenticator(shared_secret(rt.client, rt.keys))
        return cls(feeds, sink, devices, Supervisor(feeds, sink), run_adapters)

    async def start(self) -> None:
        if self.run_adapters:
            await self.supervisor.start()
        self._flusher = asyncio.create_task(self._flush_loop(), name="health-flusher")

    async def stop(self) -> None:
        await self.supervisor.stop()
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        with contextlib.suppress(Exception):
            await asyncio.to_thread(self.sink.health.flush)

    async def _flush_loop(self) -> None:
        interval = max(0.2, self.sink.rt.settings.feeds.health_flush_s)
        while True:
            await asyncio.sleep(interval)
            try:
                await asyncio.to_thread(self.sink.health.flush)
            except Exception as exc:
                log.warning("source health flush failed: %s", exc)


def feeds_service(request: Request) -> FeedsService:
    service: FeedsService = request.app.state.feeds
    return service
