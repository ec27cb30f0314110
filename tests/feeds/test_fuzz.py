"""Property-based fuzzing of every parser and of the HTTP hooks: whatever comes in, no
exception escapes but ``PayloadError`` (a reason), and no answer is a 5xx."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds.adapters.dahua.parse import parse_part
from feeds.adapters.file.parse import csv_rows, xlsx_rows
from feeds.adapters.frigate.config import FrigateSource
from feeds.adapters.frigate.parse import parse_message
from feeds.adapters.gb28181.parse import parse_manscdp, parse_sip
from feeds.adapters.hikvision.parse import parse as parse_hikvision
from feeds.adapters.mapping import FieldMapping, apply_mapping
from feeds.adapters.multipart import PartStream, split
from feeds.adapters.open311.config import Open311Source
from feeds.adapters.open311.parse import parse_requests, to_records
from feeds.adapters.websocket.config import WebsocketSource
from feeds.adapters.websocket.parse import parse_message as parse_ws
from feeds.adapters.xmlsafe import parse_xml
from gridwall.contract.refusal import PayloadError
from gridwall.processes.server import create_app
from gridwall.refdata.registry import Registry
from tests.feeds.feedkit import TZ, feeds_settings, fixture, fixture_names
from tests.helpers import issue_admin

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEEDS = {
    "hikvision": [fixture("hikvision", n) for n in fixture_names("hikvision")],
    "gb28181": [
        fixture("gb28181", n) for n in fixture_names("gb28181", "*.xml") if not n.startswith("sipp")
    ],
    "dahua": [fixture("dahua", "stream-1.txt"), fixture("dahua", "stream-2.txt")],
    "frigate": [fixture("frigate", n) for n in fixture_names("frigate")],
}


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A recorded payload with random cuts, flips and insertions (or plain random bytes)."""
    if draw(st.booleans()) and draw(st.booleans()):
        return draw(st.binary(max_size=2000))
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(0, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "cut", "insert", "truncate"]))
        if action == "flip":
            data[at] = draw(st.integers(0, 255))
        elif action == "cut":
            del data[at : at + draw(st.integers(1, 40))]
        elif action == "insert":
            data[at:at] = draw(
                st.sampled_from(
                    [
                        b"&",
                        b"<",
                        b"<!DOCTYPE x>",
                        b"\x00",
                        b"]]>",
                        b"--boundary\r\n",
                        b"\xe4\xb8",
                        b"{",
                        b'"',
                    ]
                )
            )
        else:
            del data[at:]
    return bytes(data)


CTYPES = st.sampled_from(
    [
        "application/xml",
        "text/xml; charset=gb2312",
        "application/json",
        "",
        "multipart/form-data; boundary=boundary",
        "multipart/form-data",
        "image/jpeg",
    ]
)


@FUZZ
@given(mutated(SEEDS["hikvision"]), CTYPES)
def test_hikvision(body: bytes, ctype: str) -> None:
    with contextlib.suppress(PayloadError):
        parse_hikvision(body, ctype, zone=TZ, max_part=4096)


@FUZZ
@given(mutated(SEEDS["gb28181"]), st.sampled_from([None, "utf-8", "gb18030", "latin-1", "nope"]))
def test_gb28181(body: bytes, encoding: str | None) -> None:
    with contextlib.suppress(PayloadError):
        parse_manscdp(body, zone=TZ, encoding=encoding, device_encodings={"320115": "utf-8"})
    with contextlib.suppress(PayloadError):
        parse_sip(b"MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 12\r\n\r\n" + body)


@FUZZ
@given(mutated(SEEDS["dahua"]), st.integers(1, 64))
def test_dahua(stream: bytes, chunk: int) -> None:
    parts = PartStream(b"myboundary", 512)
    try:
        for start in range(0, len(stream), chunk):
            for part in parts.feed(stream[start : start + chunk]):
                with contextlib.suppress(PayloadError):
                    parse_part(part.body)
    except PayloadError:
        pass


FRIGATE = FrigateSource(id="f", type="frigate", min_score=0.3)  # type: ignore[arg-type]


@FUZZ
@given(mutated(SEEDS["frigate"]), st.sampled_from(["events", "reviews"]))
def test_frigate(payload: bytes, topic: str) -> None:
    with contextlib.suppress(PayloadError):
        parse_message(topic, payload, FRIGATE)


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=6)
    ),
    max_leaves=20,
)
OPEN311 = Open311Source(
    id="h",
    type="open311",
    url="http://h/",
    services={"a": "01"},  # type: ignore[arg-type]
    default_category="12",
)
REQUEST_KEYS = st.sampled_from(
    [
        "service_request_id",
        "service_code",
        "requested_datetime",
        "updated_datetime",
        "status",
        "lat",
        "long",
        "media_url",
        "description",
        "service_name",
        "status_notes",
    ]
)


@FUZZ
@given(
    st.lists(st.dictionaries(REQUEST_KEYS, JSONISH, max_size=11), max_size=4),
    st.binary(max_size=40),
)
def test_open311(requests: list[dict[str, object]], junk: bytes) -> None:
    for body in (json.dumps(requests).encode(), junk):
        try:
            for request in parse_requests(body):
                to_records(request, OPEN311, TZ)
        except PayloadError:
            pass


WS = WebsocketSource.model_validate(
    {
        "id": "w",
        "type": "websocket",
        "url": "ws://h/",
        "events_path": "data",
        "resume": {"query_param": "since"},
        "mapping": {
            "fields": {
                "source_event_id": "id",
                "title": "t",
                "reported_at": "at",
                "location.lon": "x",
                "location.lat": "y",
                "category": "c",
                "status": "s",
                "status_at": "sa",
                "photos": "p",
            },
            "time_format": "%Y-%m-%d %H:%M",
        },
    }
)
RECORD_KEYS = st.sampled_from(["id", "t", "at", "x", "y", "c", "s", "sa", "p", "other"])


@FUZZ
@given(
    st.lists(st.dictionaries(RECORD_KEYS, JSONISH, max_size=9), max_size=4), st.binary(max_size=40)
)
def test_websocket_and_mapping(records: list[dict[str, object]], junk: bytes) -> None:
    for payload in (json.dumps({"data": records}), junk):
        with contextlib.suppress(PayloadError):
            parse_ws(payload, WS, TZ)
    for record in records:
        with contextlib.suppress(PayloadError):
            apply_mapping(WS.mapping, record, "w", TZ)


@FUZZ
@given(st.binary(max_size=600), st.sampled_from([None, "utf-8", "gb18030"]))
def test_xml_and_files(data: bytes, encoding: str | None) -> None:
    for attempt in (
        lambda: parse_xml(data, encoding=encoding),
        lambda: list(csv_rows(data, encoding)),
        lambda: list(xlsx_rows(data)),
        lambda: split(data, "multipart/form-data; boundary=x", max_part=100),
    ):
        with contextlib.suppress(PayloadError):
            attempt()
    assert FieldMapping().fields == {}


@pytest.fixture(scope="module")
def hooks(
    redis_url: str, tmp_path_factory: pytest.TempPathFactory, demo_registry: Registry
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    from gridwall.platform.keys import Keys  # noqa: PLC0415
    from gridwall.platform.settings import load_settings  # noqa: PLC0415
    from gridwall.refdata.registry import store_registry  # noqa: PLC0415

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    keys = Keys("320115")
    store_registry(client, keys, demo_registry)
    base = load_settings(
        overrides={"redis_url": redis_url, "data_dir": tmp_path_factory.mktemp("fuzz")}
    )
    feeds = (
        '[[sources]]\nid = "cams"\ntype = "hikvision"\nallow = ["127.0.0.1/32"]\n'
        '[[sources]]\nid = "gb"\ntype = "gb28181"\nallow = ["127.0.0.1/32"]\n'
    )
    chosen = feeds_settings(base, Path(tmp_path_factory.mktemp("fuzzfeeds")), feeds)
    app = create_app(chosen, redis_url, parts=("intake",))
    with TestClient(app, client=("127.0.0.1", 50000), raise_server_exceptions=False) as api:
        yield api, issue_admin(client, keys)
    client.flushdb()


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    mutated(SEEDS["hikvision"] + SEEDS["gb28181"]),
    CTYPES,
    st.sampled_from(["/api/v1/alarms/hikvision", "/api/v1/alarms/gb28181", "/api/v1/events"]),
)
def test_the_hooks_never_answer_5xx(
    hooks: tuple[TestClient, dict[str, str]], body: bytes, ctype: str, path: str
) -> None:
    api, admin = hooks
    headers = {"Content-Type": ctype} if ctype else {}
    if path == "/api/v1/events":
        headers.update(admin)
    res = api.post(path, content=body, headers=headers)
    assert res.status_code < 500, res.text
