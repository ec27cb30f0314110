"""The websocket adapter (see docs/feeds.md)."""

from __future__ import annotations

from feeds.adapters.base import Adapter, AdapterKind
from feeds.adapters.websocket.adapter import WebsocketClient
from feeds.adapters.websocket.config import WebsocketSource
from feeds.sources.sink import FeedSink


def _start(source: WebsocketSource, sink: FeedSink) -> Adapter | None:
    return WebsocketClient(source, sink)


KIND = AdapterKind(WebsocketSource, _start, client=True)
