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
from feeds.sources.sink import FeedSink

log = logging.getLogger(__name__)


def build_adapters(sink: FeedSink) -> list[Adapter]:
    from feeds.adapters.dahua.adapter import DahuaClient  # noqa: PLC0415
    from feeds.adapters.dahua.config import DahuaSource  # noqa: PLC0415
    from feeds.adapters.frigate.adapter import FrigateSubscriber  # noqa: PLC0415
    from feeds.adapters.frigate.config import FrigateSource  # noqa: PLC0415
    from feeds.adapters.gb28181.adapter import SipListenerAdapter  # noqa: PLC0415
    from feeds.adapters.gb28181.config import Gb28181Source  # noqa: PLC0415
    from feeds.adapters.open311.adapter import Open311Poller  # noqa: PLC0415
    from feeds.adapters.open311.config import Open311Source  # noqa: PLC0415
    from feeds.adapters.websocket.adapter import WebsocketClient  # noqa: PLC0415
    from feeds.adapters.websocket.config import WebsocketSource  # noqa: PLC0415

    adapters: list[Adapter] = []
    for source in sink.feeds.sources:
        if not source.enabled:
            continue
        if isinstance(source, Open311Source):
            adapters.append(Open311Poller(source, sink))
        elif isinstance(source, WebsocketSource):
            adapters.append(WebsocketClient(source, sink))
        elif isinstance(source, DahuaSource):
            adapters.append(DahuaClient(source, sink))
        elif isinstance(source, FrigateSource):
            adapters.append(FrigateSubscriber(source, sink))
        elif isinstance(source, Gb28181Source) and source.sip is not None:
            adapters.append(SipListenerAdapter(source, sink))
    return adapters


class Supervisor:
    def __init__(self, sink: FeedSink) -> None:
        self.sink = sink
        self.adapters: list[Adapter] = []

    async def start(self) -> None:
        self.adapters = build_adapters(self.sink)
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
