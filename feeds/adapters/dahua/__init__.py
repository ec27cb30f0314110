"""The dahua adapter (see docs/feeds.md)."""

from __future__ import annotations

from feeds.adapters.base import Adapter, AdapterKind
from feeds.adapters.dahua.adapter import DahuaClient
from feeds.adapters.dahua.config import DahuaSource
from feeds.sources.sink import FeedSink


def _start(source: DahuaSource, sink: FeedSink) -> Adapter | None:
    return DahuaClient(source, sink)


KIND = AdapterKind(DahuaSource, _start, client=True)
