"""Runs the configured listeners and clients of one process (``gridwall intake``, the demo).

Each enabled source whose type has a loop (Open311 poller, websocket client, Dahua client,
Frigate subscriber, GB/T 28181 SIP listener) gets its adapter; push sources (HTTP, Hikvision,
GB/T 28181 over HTTP) are served by the routes and need none. An adapter that fails to start
is reported in its source's health and does not stop the others.
"""

from __future__ import annotations

import asyncio
import logging

from feeds.adapters.base import Adapter, AdapterStatus
from feeds.adapters.registry import FeedsFile, build_adapters
from feeds.sources.sink import FeedSink

log = logging.getLogger(__name__)


class Supervisor:
    def __init__(self, feeds: FeedsFile, sink: FeedSink) -> None:
        self.feeds = feeds
        self.sink = sink
        self.adapters: list[Adapter] = []

    async def start(self) -> None:
        self.adapters = build_adapters(self.feeds, self.sink)
        for adapter in self.adapters:
            try:
                await adapter.start()
            except Exception as exc:
                reason = f"cannot start: {type(exc).__name__}: {exc}"
                log.warning("%s: %s", adapter.source_id, reason)
                await asyncio.to_thread(
                    self.sink.health.connected, adapter.source_id, False, reason
                )
        if self.adapters:
            log.info("started %d feed adapter(s)", len(self.adapters))

    async def stop(self) -> None:
        for adapter in self.adapters:
            try:
                await adapter.stop()
            except Exception as exc:
                log.warning("%s: stop failed: %s", adapter.source_id, exc)
        self.adapters = []

    def statuses(self) -> dict[str, AdapterStatus]:
        return {a.source_id: a.health() for a in self.adapters}
