"""The Frigate subscriber against a real Mosquitto broker started by the test."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import aiomqtt
import pytest
import redis

from dashboard.feedqueries import FeedQueries
from feeds.adapters.frigate.adapter import FrigateSubscriber
from feeds.adapters.frigate.config import FrigateSource
from feeds.adapters.registry import load_feeds
from feeds.sources.sink import FeedSink
from gridwall.platform.keys import Keys
from gridwall.platform.redisconn import free_port
from gridwall.platform.settings import Settings
from gridwall.refdata.registry import Registry
from gridwall.runtime import Runtime
from tests.feeds.feedkit import drain, feeds_settings, fixture, store_cameras, until
from tests.helpers import server_env

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    folder = tmp_path_factory.mktemp("mosquitto")
    port = free_port()
    conf = folder / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
        f"log_dest file {folder / 'mosquitto.log'}\n",
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [MOSQUITTO, "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        env=server_env(),
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            assert proc.poll() is None, (folder / "mosquitto.log").read_text()
            assert time.monotonic() < deadline, "mosquitto did not start"
            time.sleep(0.05)
    yield port
    proc.terminate()
    proc.wait(10)


def make_sink(settings: Settings, tmp_path: Path, port: int) -> FeedSink:
    feeds = f"""
[[sources]]
id = "frigate"
type = "frigate"
port = {port}
prefix = "nvr1"
min_score = 0.5
"""
    chosen = feeds_settings(settings, tmp_path, feeds, feeds={"reconnect_base_s": 0.05})
    return FeedSink(Runtime.create(chosen, chosen.redis_url or ""))


async def publish_and_wait(
    sink: FeedSink, port: int, messages: list[tuple[str, bytes]], expect_inbox: int
) -> FrigateSubscriber:
    source = load_feeds(sink.rt.settings.feeds.file).sources[0]
    assert isinstance(source, FrigateSource)
    subscriber = FrigateSubscriber(source, sink)
    await subscriber.start()
    try:
        for _ in range(200):
            if subscriber.health().connected:
                break
            await asyncio.sleep(0.05)
        async with aiomqtt.Client("127.0.0.1", port, identifier="camera-sim") as client:
            for topic, payload in messages:
                await client.publish(topic, payload, qos=1)
        keys = sink.rt.keys
        for _ in range(200):
            if sink.rt.client.xlen(keys.inbox) >= expect_inbox:
                break
            await asyncio.sleep(0.05)
        await until(lambda: sink.rt.client.xlen(keys.deadletter) >= 1)  # the broken one, too
    finally:
        await subscriber.stop()
    return subscriber


def test_events_and_reviews_become_one_alarm_per_camera_and_type(
    broker: int,
    settings: Settings,
    tmp_path: Path,
    r: redis.Redis,
    keys: Keys,
    demo_registry: Registry,
) -> None:
    store_cameras(r, keys, demo_registry)
    sink = make_sink(settings, tmp_path, broker)
    messages = [
        ("nvr1/events", fixture("frigate", "event-new.json")),
        ("nvr1/events", fixture("frigate", "event-update.json")),
        ("nvr1/reviews", fixture("frigate", "review-alert-new.json")),
        ("nvr1/events", fixture("frigate", "event-false-positive.json")),
        ("nvr1/events", b"{broken"),
        ("nvr1/events", fixture("frigate", "event-end.json")),
        ("other/events", fixture("frigate", "event-new.json")),
    ]
    subscriber = asyncio.run(publish_and_wait(sink, broker, messages, expect_inbox=3))
    assert subscriber.sessions == 1
    drain(r, sink.rt.settings)
    (alarm,) = FeedQueries(sink.rt).alarms()
    assert alarm["camera_id"] == "32011500001320000044"  # Frigate name school_gate
    assert (alarm["type"], alarm["count"], alarm["active"]) == ("person", 2, False)
    assert alarm["priority"] == 2  # the review's alert raised it
    reasons = [f[b"reasons"].decode() for _, f in r.xrange(keys.deadletter)]
    assert len(reasons) == 1
    assert "not JSON" in reasons[0]
    health = r.hgetall(keys.source_health("frigate"))
    assert health[b"connected"] == b"0"  # stopped at the end
    assert int(health[b"events"]) >= 5


def test_an_unreachable_broker_shows_as_down(
    settings: Settings, tmp_path: Path, r: redis.Redis, keys: Keys
) -> None:
    sink = make_sink(settings, tmp_path, free_port())

    async def scenario() -> FrigateSubscriber:
        source = load_feeds(sink.rt.settings.feeds.file).sources[0]
        assert isinstance(source, FrigateSource)
        subscriber = FrigateSubscriber(source, sink)
        await subscriber.start()
        await until(lambda: subscriber.sessions >= 2)  # refused, and tried again after a wait
        status = subscriber.health()
        await subscriber.stop()
        assert status.connected is False
        assert status.state == "connecting"
        return subscriber

    subscriber = asyncio.run(scenario())
    assert subscriber.sessions >= 2  # it keeps retrying with backoff
    health = r.hgetall(keys.source_health("frigate"))
    assert health[b"connected"] == b"0"
    assert health[b"last_error"]
