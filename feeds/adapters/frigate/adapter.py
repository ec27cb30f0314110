"""The Frigate subscriber: MQTT (aiomqtt) on ``<prefix>/events`` and ``<prefix>/reviews``.

QoS 1 subscriptions, a persistent session id per source so a short outage loses nothing the
broker kept, reconnection with backoff (``feeds.adapters.loop``).
"""

from __future__ import annotations

import asyncio
from functools import partial

import aiomqtt

from feeds.adapters.frigate.config import FrigateSource
from feeds.adapters.frigate.parse import parse_message
from feeds.adapters.loop import ClientLoop
from feeds.sources.sink import FeedSink
from gridwall.contract.refusal import PayloadError

ENDPOINT = "mqtt"


class FrigateSubscriber(ClientLoop):
    def __init__(self, source: FrigateSource, sink: FeedSink) -> None:
        super().__init__(source.id, sink)
        self.source = source

    def topics(self) -> dict[str, str]:
        """MQTT topic → kind (``events`` or ``reviews``)."""
        prefix = self.source.prefix.rstrip("/")
        found = {}
        if self.source.events:
            found[f"{prefix}/events"] = "events"
        if self.source.reviews:
            found[f"{prefix}/reviews"] = "reviews"
        return found

    async def session(self) -> None:
        source = self.source
        password = source.password.value() if source.password else None
        topics = self.topics()
        async with aiomqtt.Client(
            source.host,
            source.port,
            username=source.username,
            password=password,
            identifier=source.client_id or f"gridwall-{source.id}",
            clean_session=False,
            keepalive=source.keepalive_s,
            timeout=10,
        ) as client:
            for topic in topics:
                await client.subscribe(topic, qos=1)
            await self.connected()
            async for message in client.messages:
                kind = topics.get(str(message.topic))
                payload = message.payload
                if kind is None or not isinstance(payload, bytes | bytearray):
                    continue
                await self.handle(kind, bytes(payload))

    async def handle(self, kind: str, payload: bytes) -> None:
        try:
            items = parse_message(kind, payload, self.source)
        except PayloadError as exc:
            endpoint = f"{ENDPOINT} {self.source.prefix}/{kind}"
            await asyncio.to_thread(
                partial(self.sink.refuse, self.source_id, endpoint, exc.reason, payload)
            )
            return
        if items:
            await asyncio.to_thread(self.sink.submit_device, self.source_id, items, payload)
