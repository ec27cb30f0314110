"""The websocket client against a real local websocket server: declarative mapping,
reconnection with backoff, resuming from the last id."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import redis
from websockets.asyncio.server import ServerConnection, serve

from feeds.adapters.registry import load_feeds
from feeds.adapters.websocket.adapter import WebsocketClient
from feeds.adapters.websocket.config import WebsocketSource
from feeds.sources.sink import FeedSink
from gridwall.engine.incident import Incident
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.refdata.registry import Registry
from gridwall.runtime import Runtime
from tests.feeds.feedkit import drain, feeds_settings, fixture

EVENTS = json.loads(fixture("websocket", "upstream-events.json"))
MAPPING = """
[sources.mapping.fields]
source_event_id = "id"
category = "cat"
title = "title"
reported_at = "time"
"location.lon" = "pos.lng"
"location.lat" = "pos.lat"
status = "state"
status_at = "done_at"

[sources.mapping.categories]
sanitation = "01"
order = "04"
safety = "12"

[sources.mapping.statuses]
done = "closed"
"""


class Upstream:
    """Sends the recorded events three per connection, then drops the connection."""

    def __init__(self) -> None:
        self.connections: list[dict[str, str]] = []
        self.subscribed: list[dict[str, object]] = []

    async def handler(self, ws: ServerConnection) -> None:
        query = parse_qs(urlsplit(ws.request.path if ws.request else "").query)
        self.connections.append({k: v[0] for k, v in query.items()})
        self.connections[-1]["auth"] = (
            ws.request.headers.get("Authorization", "") if ws.request else ""
        )
        since = int(self.connections[-1].get("since", 0))
        if len(self.connections) == 1:
            self.subscribed.append(json.loads(await ws.recv()))
        await ws.send(json.dumps({"type": "ack"}))
        batch = [e for e in EVENTS if e["id"] > since][:3]
        await ws.send(json.dumps({"type": "batch", "data": batch}, ensure_ascii=False))
        await ws.send("not json at all")
        if len(batch) < 3:
            await ws.wait_closed()  # caught up: stay connected until the client leaves


@pytest.fixture
def sink(
    settings: Settings,
    tmp_path: Path,
    r: redis.Redis,
    keys: Keys,
    seeded: Registry,
    monkeypatch: pytest.MonkeyPatch,
) -> FeedSink:
    monkeypatch.setenv("GW_TEST_WS_TOKEN", "upstream-token")
    feeds = f"""
[[sources]]
id = "citybrain"
type = "websocket"
url = "ws://127.0.0.1:1/events"
token = {{ env = "GW_TEST_WS_TOKEN" }}
events_path = "data"
subscribe = {{ op = "subscribe", topic = "cases" }}
resume = {{ query_param = "since", id_field = "id" }}
{MAPPING}
"""
    chosen = feeds_settings(settings, tmp_path, feeds, feeds={"reconnect_base_s": 0.05})
    return FeedSink(Runtime.create(chosen, chosen.redis_url or ""))


async def run(sink: FeedSink, upstream: Upstream) -> WebsocketClient:
    async with serve(upstream.handler, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        source = load_feeds(sink.rt.settings.feeds.file).sources[0]
        assert isinstance(source, WebsocketSource)
        client = WebsocketClient(
            source.model_copy(update={"url": f"ws://127.0.0.1:{port}/events"}), sink
        )
        await client.start()
        for _ in range(200):
            if len(upstream.connections) >= 2 and client.messages >= 6:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)
        await client.stop()
    return client


def test_events_are_mapped_and_the_client_resumes_after_a_drop(
    sink: FeedSink, r: redis.Redis, keys: Keys
) -> None:
    upstream = Upstream()
    client = asyncio.run(run(sink, upstream))
    assert len(upstream.connections) >= 2
    assert upstream.connections[0].get("since") is None
    assert upstream.connections[1]["since"] == "3"  # resumed from the last id taken
    assert upstream.connections[0]["auth"] == "Bearer upstream-token"
    assert upstream.subscribed == [{"op": "subscribe", "topic": "cases"}]
    assert client.sessions >= 2
    assert r.get(keys.source_cursor("citybrain")) == b"6"
    drain(r, sink.rt.settings)
    found = {i.source_event_id: i for i in incidents(r, keys)}
    assert sorted(found) == ["1", "2", "4", "5", "6"]  # 3 has no title
    assert found["1"].category == "01"
    assert found["1"].reported_at.timestamp() == 1795200000
    assert found["4"].status.value == "closed"  # a status column became a status update
    assert found["4"].closed_at is not None
    assert found["4"].closed_at.isoformat() == "2026-11-20T11:00:00+08:00"
    reasons = [f[b"reasons"].decode() for _, f in r.xrange(keys.deadletter)]
    assert sum("not JSON" in reason for reason in reasons) >= 2
    assert any("a report needs" in reason for reason in reasons)


def incidents(r: redis.Redis, keys: Keys) -> list[Incident]:
    return [Incident.model_validate_json(r.get(k)) for k in r.scan_iter(keys.incident_pattern)]


def test_an_unknown_mapping_field_is_refused_at_load(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(
        '[[sources]]\nid = "x"\ntype = "websocket"\nurl = "ws://h/"\n'
        '[sources.mapping]\nfields = { colour = "c" }\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="unknown event field"):
        load_feeds(path)
