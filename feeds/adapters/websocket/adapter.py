"""The websocket client: connect (``websockets``), subscribe, map, resume from the last id.

The last id of every message taken is kept in Redis (``source_cursor``); a reconnect puts it in
the URL (``resume.query_param``) or in the subscribe message (``resume.message_field``), so an
upstream that supports it sends only what was missed. Reconnects back off with jitter.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from feeds.adapters.loop import ClientLoop
from feeds.adapters.websocket.config import WebsocketSource
from feeds.adapters.websocket.parse import parse_message
from feeds.sources.sink import FeedSink
from gridwall.contract.refusal import PayloadError

ENDPOINT = "websocket"


def with_query(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != name] + [(name, value)]
    return urlunsplit(parts._replace(query=urlencode(query)))


class WebsocketClient(ClientLoop):
    def __init__(self, source: WebsocketSource, sink: FeedSink) -> None:
        super().__init__(source.id, sink)
        self.source = source
        self.messages = 0

    def _last_id(self) -> str | None:
        rt = self.sink.rt
        raw = rt.client.get(rt.keys.source_cursor(self.source_id))
        return None if raw is None else raw.decode() if isinstance(raw, bytes) else str(raw)

    async def session(self) -> None:
        source = self.source
        last = await asyncio.to_thread(self._last_id)
        url = source.url
        if source.resume and source.resume.query_param and last:
            url = with_query(url, source.resume.query_param, last)
        headers = {}
        if source.token is not None:
            headers["Authorization"] = f"Bearer {source.token.value()}"
        limit = self.sink.rt.settings.http.max_body_bytes
        async with connect(
            url,
            additional_headers=headers,
            ping_interval=source.ping_s,
            max_size=limit,
            open_timeout=10,
        ) as ws:
            if source.subscribe is not None:
                message: dict[str, Any] = dict(source.subscribe)
                if source.resume and source.resume.message_field and last:
                    message[source.resume.message_field] = last
                # An upstream that sends at once and closes must still be read to the end.
                with contextlib.suppress(ConnectionClosed):
                    await ws.send(json.dumps(message, ensure_ascii=False))
            await self.connected()
            async for payload in ws:
                await asyncio.to_thread(self.handle, payload)

    def handle(self, payload: str | bytes) -> None:
        """Take one message (in a worker thread)."""
        self.messages += 1
        sink = self.sink
        raw = payload if isinstance(payload, bytes) else payload.encode("utf-8")
        try:
            parsed = parse_message(payload, self.source, sink.rt.tz)
        except PayloadError as exc:
            sink.refuse(self.source_id, ENDPOINT, exc.reason, raw)
            return
        for reason, item in parsed.refused:
            sink.refuse(self.source_id, ENDPOINT, reason, json.dumps(item, ensure_ascii=False))
        if parsed.records:
            sink.submit_events(self.source_id, parsed.records, endpoint=ENDPOINT)
        if parsed.last_id is not None:
            sink.rt.client.set(sink.rt.keys.source_cursor(self.source_id), parsed.last_id)
