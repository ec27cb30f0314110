"""The Dahua client against a local HTTP server that streams recorded parts behind digest
authentication, drops the connection, and streams the rest after the reconnect."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
from pathlib import Path

import pytest
import redis

from feeds.adapters.dahua.adapter import DahuaClient
from feeds.adapters.registry import load_feeds
from feeds.sources.sink import FeedSink
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.refdata.registry import Registry
from gridwall.runtime import Runtime
from tests.feeds.feedkit import drain, feeds_settings, fixture, store_cameras, until

NONCE = "5f0a8c1d9b"
REALM = "Login to ND"


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def digest_ok(header: str, uri: str) -> bool:
    params = dict(re.findall(r'(\w+)="?([^",]*)"?', header))
    ha1 = md5(f"admin:{REALM}:camera-pass")
    ha2 = md5(f"GET:{uri}")
    expected = md5(f"{ha1}:{NONCE}:{params['nc']}:{params['cnonce']}:{params['qop']}:{ha2}")
    return params.get("response") == expected and params.get("username") == "admin"


class Device:
    """An HTTP server speaking like a Dahua NVR's eventManager.cgi."""

    def __init__(self, streams: list[bytes]) -> None:
        self.streams = streams
        self.served = 0
        self.unauthorized = 0
        self.requests: list[str] = []
        self.done = asyncio.Event()
        self.writers: list[asyncio.StreamWriter] = []

    async def close(self) -> None:
        for writer in self.writers:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.append(writer)
        try:
            await self._serve(reader, writer)
        except (asyncio.CancelledError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        target = head.split(" ")[1]
        self.requests.append(target)
        auth = next(
            (
                line.split(":", 1)[1].strip()
                for line in head.split("\r\n")
                if line.lower().startswith("authorization:")
            ),
            "",
        )
        if not auth.startswith("Digest") or not digest_ok(auth, target):
            self.unauthorized += 1
            writer.write(
                b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n"
                + f'WWW-Authenticate: Digest realm="{REALM}", qop="auth", nonce="{NONCE}", '
                f'opaque="x"\r\n\r\n'.encode()
            )
            await writer.drain()
            writer.close()
            return
        stream = self.streams[min(self.served, len(self.streams) - 1)]
        self.served += 1
        writer.write(
            b"HTTP/1.1 200 OK\r\n"
            b"Content-Type: multipart/x-mixed-replace; boundary=myboundary\r\n"
            b"Connection: close\r\n\r\n"
        )
        for start in range(0, len(stream), 50):  # arrives in pieces, as on a network
            writer.write(stream[start : start + 50])
            await writer.drain()
            await asyncio.sleep(0.01)
        if self.served >= len(self.streams):
            self.done.set()
            await asyncio.sleep(30)  # keep the last connection open, as a device does


@pytest.fixture
def sink(
    settings: Settings,
    tmp_path: Path,
    r: redis.Redis,
    keys: Keys,
    demo_registry: Registry,
    monkeypatch: pytest.MonkeyPatch,
) -> FeedSink:
    monkeypatch.setenv("GW_TEST_DAHUA_PASSWORD", "camera-pass")
    store_cameras(r, keys, demo_registry)
    feeds = """
[[sources]]
id = "nvr"
type = "dahua"
url = "http://127.0.0.1:1"
username = "admin"
password = { env = "GW_TEST_DAHUA_PASSWORD" }
heartbeat_s = 2
"""
    chosen = feeds_settings(settings, tmp_path, feeds, feeds={"reconnect_base_s": 0.05})
    return FeedSink(Runtime.create(chosen, chosen.redis_url or ""))


async def run_device(sink: FeedSink) -> tuple[Device, DahuaClient]:
    device = Device([fixture("dahua", "stream-1.txt"), fixture("dahua", "stream-2.txt")])
    server = await asyncio.start_server(device.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    source = (
        load_feeds(sink.rt.settings.feeds.file)
        .sources[0]
        .model_copy(update={"url": f"http://127.0.0.1:{port}"})
    )
    client = DahuaClient(source, sink)  # type: ignore[arg-type]
    await client.start()
    try:
        await asyncio.wait_for(device.done.wait(), 20)
        r, keys = sink.rt.client, sink.rt.keys  # the last parts taken: 4 alarms, 1 refused part
        await until(lambda: r.xlen(keys.inbox) >= 4 and r.xlen(keys.deadletter) >= 1)
    finally:
        await client.stop()
        server.close()
        await device.close()
        await server.wait_closed()
    return device, client


def test_the_client_pairs_reconnects_and_records(
    sink: FeedSink, r: redis.Redis, keys: Keys
) -> None:
    device, client = asyncio.run(run_device(sink))
    assert device.served == 2
    assert device.unauthorized >= 2  # each connection is challenged first
    assert device.requests[0].startswith("/cgi-bin/eventManager.cgi?action=attach&codes=")
    assert device.requests[0].endswith("&heartbeat=2")
    assert client.sessions >= 2
    drain(r, sink.rt.settings)
    alarms = {a["type"]: a for a in FeedsView(sink).alarms()}
    motion, line = alarms["motion"], alarms["line_crossing"]
    assert motion["camera_id"] == "32011500001320000045"  # ip 127.0.0.1, channel 0 + 1
    assert motion["active"] is False  # Start … Stop
    assert line["active"] is True  # its Stop came on the second connection, unpaired there
    assert alarms["tamper"]["camera_id"] == "32011500001320000045"  # channel 1 + 1 = /2
    assert "io" not in alarms  # a Stop without its Start
    letters = [f[b"reasons"].decode() for _, f in r.xrange(keys.deadletter)]
    assert any("not a Dahua event" in reason for reason in letters)
    seen = r.hget(keys.camera_seen, "32011500001320000045")
    assert seen is not None
    health = r.hgetall(keys.source_health("nvr"))
    assert health[b"connected"] == b"0"  # stopped at the end
    assert int(health[b"events"]) >= 5


class FeedsView:
    def __init__(self, sink: FeedSink) -> None:
        from dashboard.feedqueries import FeedQueries  # noqa: PLC0415

        self.q = FeedQueries(sink.rt)

    def alarms(self) -> list[dict[str, object]]:
        return self.q.alarms(limit=50)


def test_a_wrong_password_is_a_lost_connection_in_the_health(
    sink: FeedSink, r: redis.Redis, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GW_TEST_DAHUA_PASSWORD", "wrong")

    async def scenario() -> Device:
        device = Device([fixture("dahua", "stream-1.txt")])
        server = await asyncio.start_server(device.handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        source = (
            load_feeds(sink.rt.settings.feeds.file)
            .sources[0]
            .model_copy(update={"url": f"http://127.0.0.1:{port}"})
        )
        client = DahuaClient(source, sink)  # type: ignore[arg-type]
        await client.start()
        await until(lambda: device.unauthorized >= 2)  # refused, and tried again after a wait
        await client.stop()
        server.close()
        await device.close()
        await server.wait_closed()
        return device

    device = asyncio.run(scenario())
    assert device.served == 0
    assert device.unauthorized >= 2  # it kept trying, backing off
    health = r.hgetall(keys.source_health("nvr"))
    assert health[b"connected"] == b"0"
    assert b"401" in health[b"last_error"]  # the error before the stop is kept
