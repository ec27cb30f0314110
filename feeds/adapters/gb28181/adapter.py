"""The GB/T 28181 SIP listener: MESSAGE requests on UDP, answered ``200 OK``.

Each datagram is parsed (``parse.parse_sip``), its sender checked against the source's
``allow`` list (``403 Forbidden`` and a dead letter otherwise), its MANSCDP body parsed and
handed to the sink; the answer goes back once the alarm is in the inbox (a Redis failure gets
``500`` so the device retransmits). Bodies that cannot be parsed are answered ``200 OK`` (the
device would retransmit forever) and dead-lettered. ``REGISTER`` and ``OPTIONS`` are answered
``200 OK`` (a keep-alive of sorts); other methods ``405``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, cast

from feeds.adapters.base import AdapterStatus
from feeds.adapters.gb28181.config import Gb28181Source
from feeds.adapters.gb28181.parse import SipRequest, parse_manscdp, parse_sip, sip_response
from feeds.alarms.devices import DeviceHeartbeat, DeviceItem, Identity
from feeds.sources.sink import FeedSink
from gridwall.contract.refusal import PayloadError
from gridwall.refdata.model import IdentityKind

log = logging.getLogger(__name__)
ENDPOINT = "SIP MESSAGE (udp)"
MAX_DATAGRAM = 65_535


def items_of(
    sink: FeedSink, source: Gb28181Source, body: bytes, reporter: str | None = None
) -> list[DeviceItem]:
    """A MANSCDP body (from the HTTP hook or a SIP MESSAGE); raises PayloadError."""
    return parse_manscdp(
        body,
        zone=sink.zone(source.timezone),
        encoding=source.encoding,
        device_encodings=source.device_encodings,
        reporter=reporter,
    )


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, owner: SipListenerAdapter) -> None:
        self.owner = owner
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)  # uvloop's is no subclass

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        task = asyncio.ensure_future(self.owner.handle(data, (str(addr[0]), int(addr[1]))))
        self.owner.tasks.add(task)
        task.add_done_callback(self.owner.tasks.discard)


class SipListenerAdapter:
    def __init__(self, source: Gb28181Source, sink: FeedSink) -> None:
        assert source.sip is not None
        self.source = source
        self.source_id = source.id
        self.sink = sink
        self.tasks: set[asyncio.Task[None]] = set()
        self._protocol: _Protocol | None = None
        self._status = AdapterStatus("stopped")
        self.handled = 0

    async def start(self) -> None:
        assert self.source.sip is not None
        loop = asyncio.get_running_loop()
        _transport, protocol = await loop.create_datagram_endpoint(
            lambda: _Protocol(self), local_addr=(self.source.sip.host, self.source.sip.port)
        )
        self._protocol = protocol
        self._status = AdapterStatus("running", detail=f"udp {self.address}")
        await asyncio.to_thread(self.sink.health.connected, self.source_id, True)

    @property
    def address(self) -> str:
        if self._protocol is None or self._protocol.transport is None:
            return ""
        host, port = self._protocol.transport.get_extra_info("sockname")[:2]
        return f"{host}:{port}"

    async def stop(self) -> None:
        if self._protocol is not None and self._protocol.transport is not None:
            self._protocol.transport.close()
        for task in list(self.tasks):
            task.cancel()
        self._protocol = None
        self._status = AdapterStatus("stopped")

    def health(self) -> AdapterStatus:
        return self._status

    def _send(self, payload: bytes, addr: tuple[str, int]) -> None:
        if self._protocol is not None and self._protocol.transport is not None:
            self._protocol.transport.sendto(payload, addr)

    async def handle(self, data: bytes, addr: tuple[str, int]) -> None:
        self.handled += 1
        remote = addr[0]
        try:
            request = parse_sip(data)
        except PayloadError as exc:
            await self._refuse(exc.reason, data, remote)
            return
        if not self.source.allows(remote):
            await self._refuse(f"address {remote} is not allowed", data, remote)
            self._send(sip_response(request, 403, "Forbidden"), addr)
            return
        if request.method in ("REGISTER", "OPTIONS"):
            await self._alive(request)
            self._send(sip_response(request, 200, "OK"), addr)
            return
        if request.method != "MESSAGE":
            self._send(sip_response(request, 405, "Method Not Allowed"), addr)
            return
        code, reason = await self._message(request, data, remote)
        self._send(sip_response(request, code, reason), addr)

    async def _message(self, request: SipRequest, data: bytes, remote: str) -> tuple[int, str]:
        try:
            items = items_of(self.sink, self.source, request.body, request.from_user)
        except PayloadError as exc:
            await self._refuse(exc.reason, data, remote)
            return 200, "OK"
        if not items:
            return 200, "OK"
        try:
            await asyncio.to_thread(self.sink.submit_device, self.source_id, items, request.body)
        except Exception as exc:
            log.warning("%s: cannot take a SIP alarm: %s", self.source_id, exc)
            return 500, "Server Internal Error"
        return 200, "OK"

    async def _alive(self, request: SipRequest) -> None:
        user = request.from_user
        if user:
            beat = DeviceHeartbeat((Identity(IdentityKind.GB28181, user),), None, "gb28181")
            await asyncio.to_thread(self.sink.submit_device, self.source_id, [beat], b"")

    async def _refuse(self, reason: str, data: bytes, remote: str) -> None:
        await asyncio.to_thread(
            lambda: self.sink.refuse(self.source_id, ENDPOINT, reason, data, remote=remote)
        )
