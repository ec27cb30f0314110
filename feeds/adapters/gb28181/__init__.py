"""The gb28181 adapter (see docs/feeds.md)."""

from __future__ import annotations

from feeds.adapters.base import Adapter, AdapterKind
from feeds.adapters.gb28181.adapter import SipListenerAdapter
from feeds.adapters.gb28181.config import Gb28181Source
from feeds.sources.sink import FeedSink


def _start(source: Gb28181Source, sink: FeedSink) -> Adapter | None:
    return SipListenerAdapter(source, sink) if source.sip is not None else None


KIND = AdapterKind(Gb28181Source, _start)
