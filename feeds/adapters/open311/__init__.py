"""The open311 adapter (see docs/feeds.md)."""

from __future__ import annotations

from feeds.adapters.base import Adapter, AdapterKind
from feeds.adapters.open311.adapter import Open311Poller
from feeds.adapters.open311.config import Open311Source
from feeds.sources.sink import FeedSink


def _start(source: Open311Source, sink: FeedSink) -> Adapter | None:
    return Open311Poller(source, sink)


KIND = AdapterKind(Open311Source, _start, client=True)
