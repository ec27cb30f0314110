"""XML from the network: an XXE, an entity bomb and an oversized body against every route
under ``/alarms/`` that takes a POST (the device endpoints of the feeds, whatever their
names), plus the guard's size limit on that prefix whether such routes exist or not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.processes.server import create_app
from gridwall.refdata.registry import Registry
from gridwall.web.policy import iter_routes
from tests.feeds.test_retention import _values
from tests.helpers import issue_admin

XML_TYPES = ("application/xml", "text/xml; charset=utf-8", "Application/MANSCDP+xml")

XXE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE EventNotificationAlert [<!ENTITY leak SYSTEM "file://{path}">]>
<EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">
<ipAddress>10.20.3.41</ipAddress><channelID>1</channelID>
<dateTime>2026-11-20T21:14:05+08:00</dateTime><activePostCount>1</activePostCount>
<eventType>VMD</eventType><eventState>active</eventState>
<eventDescription>&leak;</eventDescription></EventNotificationAlert>"""

BOMB = """<?xml version="1.0"?>
<!DOCTYPE Notify [
<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
]>
<Notify><CmdType>Alarm</CmdType><SN>1</SN><DeviceID>32011500001320000042</DeviceID>
<AlarmDescription>&f;</AlarmDescription></Notify>"""


@pytest.fixture
def client(settings: Settings, seeded: Registry, r: redis.Redis) -> Iterator[TestClient]:
    app = create_app(settings, settings.redis_url or "")
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def alarm_routes(app: FastAPI) -> list[str]:
    return sorted(
        info.path
        for info in iter_routes(app)
        if "/alarms/" in info.path and "POST" in info.methods and "{" not in info.path
    )


def test_every_xml_endpoint_refuses_xxe_bombs_and_oversized_bodies(
    client: TestClient, r: redis.Redis, keys: Keys, settings: Settings, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7f3a9c", encoding="utf-8")
    admin = issue_admin(r, keys)
    limit = settings.http.max_request_bytes
    app: FastAPI = client.app  # type: ignore[assignment]
    paths = alarm_routes(app)
    oversized = b"<Notify>" + b"x" * limit + b"</Notify>"
    # Whatever the routes, the guard refuses an oversized body under the prefix at once.
    for path in [*paths, "/api/v1/alarms/hikvision"]:
        res = client.post(path, content=oversized, headers={**admin, "Content-Type": XML_TYPES[0]})
        assert res.status_code == 413, path
    for path in paths:
        for content_type in XML_TYPES:
            headers = {**admin, "Content-Type": content_type}
            probe = client.post(path, content=b"<a/>", headers=headers)
            if probe.status_code == 415:
                continue  # this route does not take this content type
            for body in (XXE.format(path=secret), BOMB):
                res = client.post(path, content=body.encode(), headers=headers)
                assert res.status_code < 500, (path, content_type, res.status_code, res.text)
                assert "TOP-SECRET" not in res.text
                assert "aaaaaaaaaa" * 100 not in res.text
    assert "TOP-SECRET" not in _values(r)  # not in the inbox, the dead letters, anywhere
