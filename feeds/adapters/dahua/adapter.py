"""The Dahua client: attach to ``eventManager.cgi`` and read its endless multipart stream.

HTTP digest authentication (httpx2's ``DigestAuth``), a heartbeat asked of the device and a read
timeout of three heartbeats (a silent device is a lost one), Start/Stop pairing per
connection, reconnection with backoff (``feeds.adapters.loop``). Heartbeats and ``State``
parts prove the device's cameras alive.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Literal
from urllib.parse import urlsplit

import httpx2

from feeds.adapters.dahua.config import DahuaSource
from feeds.adapters.dahua.parse import Heartbeat, Pairing, heartbeat, parse_part, to_item
from feeds.adapters.loop import ClientLoop
from feeds.adapters.multipart import PartStream, boundary_of
from feeds.alarms.devices import DeviceItem
from feeds.sources.sink import FeedSink
from gridwall.contract.refusal import PayloadError

ENDPOINT = "dahua eventManager.cgi attach"


def attach_url(source: DahuaSource) -> str:
    base = str(source.url).rstrip("/")
    codes = ",".join(source.codes)
    return (
        f"{base}/cgi-bin/eventManager.cgi?action=attach&codes=[{codes}]"
        f"&heartbeat={source.heartbeat_s}"
    )


class DahuaClient(ClientLoop):
    def __init__(self, source: DahuaSource, sink: FeedSink) -> None:
        super().__init__(source.id, sink)
        self.source = source
        self.device = source.device or (urlsplit(str(source.url)).hostname or "")
        self.kind: Literal["ip", "mac"] = source.identity

    async def session(self) -> None:
        source = self.source
        auth = httpx2.DigestAuth(source.username, source.password.value())
        timeout = httpx2.Timeout(10.0, read=source.heartbeat_s * 3.0)
        max_part = self.sink.rt.settings.feeds.device_part_max_bytes
        async with (
            httpx2.AsyncClient(auth=auth, timeout=timeout) as client,
            client.stream("GET", attach_url(source)) as response,
        ):
            if response.status_code != 200:
                raise ConnectionError(f"device answered HTTP {response.status_code}")
            boundary = boundary_of(response.headers.get("content-type", "")) or b"myboundary"
            stream = PartStream(boundary, max_part)
            pairing = Pairing()
            channels = {source.channel_offset}
            await self.connected()
            async for chunk in response.aiter_raw():
                items, bad, broken = self._items(stream, chunk, pairing, channels)
                await self._deliver(items, bad)
                if broken:
                    raise ConnectionError(broken)

    def _items(
        self, stream: PartStream, chunk: bytes, pairing: Pairing, channels: set[int]
    ) -> tuple[list[tuple[DeviceItem, bytes]], list[tuple[str, bytes]], str]:
        """The items of the parts a chunk completes, refusals, and why the stream broke."""
        items: list[tuple[DeviceItem, bytes]] = []
        bad: list[tuple[str, bytes]] = []
        try:
            for part in stream.feed(chunk):
                try:
                    parsed = parse_part(part.body)
                except PayloadError as exc:
                    bad.append((exc.reason, part.body))
                    continue
                if isinstance(parsed, Heartbeat):
                    items.append((heartbeat(self.kind, self.device, channels), part.body))
                    continue
                channels.add(parsed.index + self.source.channel_offset)
                phase = pairing.phase(parsed)
                if phase is None:
                    if parsed.action == "State":
                        items.append((heartbeat(self.kind, self.device, channels), part.body))
                    continue
                item = to_item(
                    parsed,
                    phase,
                    kind=self.kind,
                    device=self.device,
                    offset=self.source.channel_offset,
                )
                items.append((item, part.body))
        except PayloadError as exc:  # a part over the cap: the stream is unusable
            bad.append((exc.reason, chunk[:4096]))
            return items, bad, exc.reason
        return items, bad, ""

    async def _deliver(
        self, items: list[tuple[DeviceItem, bytes]], bad: list[tuple[str, bytes]]
    ) -> None:
        for reason, raw in bad:
            await asyncio.to_thread(
                partial(self.sink.refuse, self.source_id, ENDPOINT, reason, raw)
            )
        for item, raw in items:
            await asyncio.to_thread(self.sink.submit_device, self.source_id, [item], raw)
