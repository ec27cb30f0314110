"""The frigate adapter (see docs/feeds.md)."""

from __future__ import annotations

from feeds.adapters.base import Adapter, AdapterKind
from feeds.adapters.frigate.adapter import FrigateSubscriber
from feeds.adapters.frigate.config import FrigateSource
from feeds.sources.sink import FeedSink


def _start(source: FrigateSource, sink: FeedSink) -> Adapter | None:
    return FrigateSubscriber(source, sink)


KIND = AdapterKind(FrigateSource, _start, client=True)
