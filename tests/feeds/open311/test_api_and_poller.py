"""gridwall's own Open311 read API, and the Open311 poller reading it (another county's
gridwall takes the cases in and follows their closure)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
import redis

from feeds.adapters.open311 import adapter as open311_adapter
from feeds.adapters.open311.adapter import Open311Poller
from feeds.adapters.open311.config import Open311Source
from feeds.adapters.registry import load_feeds
from feeds.sources.credentials import SourceTokens
from feeds.sources.sink import FeedSink
from gridwall.engine.incident import Incident
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.refdata.registry import Registry, store_registry
from gridwall.runtime import Runtime
from gridwall.sim.county import generate_county
from tests.feeds.feedkit import drain, feeds_settings
from tests.helpers import FIXED_REPORTED_AT, issue_admin, report
from tests.live import Live, live_server

OTHER = "320116"

READER = {"Authorization": "Bearer test-admin-token"}  # issue_admin's token


@pytest.fixture
def hotline(settings: Settings, seeded: Registry, r: redis.Redis, keys: Keys) -> Iterator[Live]:
    with live_server(settings) as live:
        headers = issue_admin(r, keys)
        events = [
            report(i, category="12" if i % 2 else "01", reported_at=FIXED_REPORTED_AT)
            for i in range(6)
        ]
        assert (
            httpx.post(f"{live.base}/api/v1/events", json=events, headers=headers).status_code
            == 202
        )
        for _ in range(100):
            if r.zcard(keys.reported_index) == 6:
                break
            asyncio.run(asyncio.sleep(0.05))
        yield live


def test_the_read_api(hotline: Live) -> None:
    services = httpx.get(f"{hotline.base}/open311/v2/services.json", headers=READER).json()
    assert {"service_code": "12", "service_name": "安全隐患"}.items() <= next(
        s for s in services if s["service_code"] == "12"
    ).items()
    everything = httpx.get(f"{hotline.base}/open311/v2/requests.json", headers=READER).json()
    assert len(everything) == 6
    one = everything[0]
    assert one["status"] == "open"
    assert one["requested_datetime"] == "2026-11-27T09:30:00+08:00"
    assert one["address"] == ""
    assert "张" not in str(one)  # no personal data
    only = httpx.get(
        f"{hotline.base}/open311/v2/requests.json", params={"service_code": "01"}, headers=READER
    ).json()
    assert len(only) == 3
    window = httpx.get(
        f"{hotline.base}/open311/v2/requests.json",
        params={"start_date": "2026-11-28T00:00:00+08:00", "end_date": "2026-11-29T00:00:00+08:00"},
        headers=READER,
    ).json()
    assert window == []
    by_id = httpx.get(
        f"{hotline.base}/open311/v2/requests/{one['service_request_id']}.json", headers=READER
    )
    assert by_id.json() == [one]
    assert (
        httpx.get(f"{hotline.base}/open311/v2/requests/nope.json", headers=READER).status_code
        == 404
    )
    too_long = httpx.get(
        f"{hotline.base}/open311/v2/requests.json",
        params={"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-11-01T00:00:00+08:00"},
        headers=READER,
    )
    assert too_long.status_code == 400
    assert httpx.get(f"{hotline.base}/open311/v2/services.json").status_code == 401


@pytest.fixture
def poller(
    settings: Settings,
    tmp_path: Path,
    r: redis.Redis,
    keys: Keys,
    hotline: Live,
    monkeypatch: pytest.MonkeyPatch,
) -> Open311Poller:
    # The other county's gridwall reads this one with a source token of its own.
    monkeypatch.setenv("GW_TEST_OPEN311_TOKEN", SourceTokens(r, keys).issue("county-b"))
    store_registry(r, Keys(OTHER), generate_county(OTHER, "乙区", seed=7))
    feeds = f"""
[[sources]]
id = "hotline"
type = "open311"
url = "{hotline.base}/open311/v2"
token = {{ env = "GW_TEST_OPEN311_TOKEN" }}
start = "2026-11-26T00:00:00+08:00"
services = {{ "01" = "01", "12" = "12" }}
statuses = {{ closed = "closed" }}
"""
    chosen = feeds_settings(settings, tmp_path, feeds).model_copy(update={"county": OTHER})
    sink = FeedSink(Runtime.create(chosen, chosen.redis_url or ""))
    source = load_feeds(sink.rt.settings.feeds.file).sources[0]
    assert isinstance(source, Open311Source)
    return Open311Poller(source, sink)


async def poll(poller: Open311Poller) -> None:
    token = poller.source.token.value() if poller.source.token else ""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(timeout=10, headers=headers) as client:
        await poller.poll(client)


def test_the_poller_copies_cases_and_follows_their_closure(
    poller: Open311Poller,
    hotline: Live,
    r: redis.Redis,
    keys: Keys,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(open311_adapter, "PAGE_MAX", 4)  # 6 cases: a full page splits its window
    asyncio.run(poll(poller))
    other = Keys(OTHER)
    settings = poller.sink.rt.settings
    drain(r, settings)
    copies = {i.source_event_id: i for i in incidents(r, other)}
    originals = {i.id: i for i in incidents(r, keys)}
    assert sorted(copies) == sorted(originals)
    sample = next(iter(originals.values()))
    assert copies[sample.id].source == "hotline"
    assert copies[sample.id].reported_at == sample.reported_at
    assert copies[sample.id].category == sample.category
    assert r.hlen(other.source_tracked("hotline")) == 6
    closing = {
        "source": "gridapp",
        "source_event_id": "close-0",
        "kind": "status",
        "ref": "e-0",
        "status": "closed",
        "reported_at": "2026-11-27T11:00:00+08:00",
    }
    headers = {"Authorization": "Bearer test-admin-token"}
    assert (
        httpx.post(f"{hotline.base}/api/v1/events", json=closing, headers=headers).status_code
        == 202
    )
    for _ in range(100):
        if not Incident.model_validate_json(r.get(keys.incident(_id_of(r, keys, "e-0")))).is_open:
            break
        asyncio.run(asyncio.sleep(0.05))
    asyncio.run(poll(poller))
    drain(r, settings)
    closed = [i for i in incidents(r, other) if not i.is_open]
    assert [i.source_event_id for i in closed] == [_id_of(r, keys, "e-0")]
    assert closed[0].closed_at is not None
    assert r.hlen(other.source_tracked("hotline")) == 5
    assert poller.polls == 2
    again = len(incidents(r, other))
    asyncio.run(poll(poller))
    drain(r, settings)
    assert len(incidents(r, other)) == again  # re-reading adds nothing


def _id_of(r: redis.Redis, keys: Keys, source_event_id: str) -> str:
    return r.hget(keys.dedup, f"gridapp|{source_event_id}").decode()


def incidents(r: redis.Redis, keys: Keys) -> list[Incident]:
    return [Incident.model_validate_json(r.get(k)) for k in r.scan_iter(keys.incident_pattern)]
