"""The Hikvision push source: what a post to ``/api/v1/alarms/hikvision`` does once the route
(``feeds/http/alarms.py``) has admitted the device — parse with the source's zone and the part
cap, then the route hands the items to the sink (``FeedSink.deliver``). Devices push; there is no
loop to run."""

from __future__ import annotations

from feeds.adapters.hikvision.config import HikvisionSource
from feeds.adapters.hikvision.parse import parse
from feeds.alarms.devices import DeviceItem
from feeds.sources.sink import FeedSink


def items_of(sink: FeedSink, source: HikvisionSource, body: bytes, ctype: str) -> list[DeviceItem]:
    """Raises PayloadError with the reason."""
    cap = sink.rt.settings.feeds.device_part_max_bytes
    return parse(body, ctype, zone=sink.zone(source.timezone), max_part=cap)
