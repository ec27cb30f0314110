"""Retention: the personal data of cases closed long ago is really gone from Redis."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import redis
from fastapi.testclient import TestClient

from gridwall.access.audit import AuditQuery, read_audit
from gridwall.engine.incident import Incident
from gridwall.engine.processor.processor import Processor
from gridwall.history.housekeeping import Housekeeping
from gridwall.history.retention import PURGE_ACTION, purge_personal
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.processes.server import create_app
from gridwall.refdata.registry import Registry
from tests.helpers import drain, issue_admin, report

OLD = {"name": "欧阳修远", "phone": "13900001111", "id_number": "32011519800101001X"}
OLD_ADDRESS = "江宁区东山街道竹山社区上元大街12号"
KEEP = {"name": "李四", "phone": "13722223333"}


@pytest.fixture
def api(settings: Settings, seeded: Registry, r: redis.Redis, keys: Keys) -> Iterator[TestClient]:
    app = create_app(settings, settings.redis_url or "", parts=("intake", "api"))
    with TestClient(app) as client:
        client.headers.update(issue_admin(r, keys))
        yield client


def _values(r: redis.Redis) -> str:
    """Every value of every key as text (strings, hashes, streams, sorted sets, sets)."""
    text: list[str] = []
    for key in r.scan_iter():
        kind = r.type(key).decode()
        if kind == "string":
            raw = [r.get(key)]
        elif kind == "hash":
            raw = [v for pair in r.hgetall(key).items() for v in pair]
        elif kind == "stream":
            raw = [v for _id, fields in r.xrange(key) for v in fields.values()]
        elif kind == "zset":
            raw = list(r.zrange(key, 0, -1))
        else:
            raw = list(r.smembers(key)) if kind == "set" else []
        text.extend(v.decode("utf-8", "replace") for v in raw if isinstance(v, bytes))
    return "\n".join(text)


class History:
    """A stand-in for the Parquet history (the briefing issue adds the real one)."""

    name = "parquet"

    def __init__(self) -> None:
        self.asked: list[datetime] = []

    def purge_personal(self, closed_before: datetime) -> int:
        self.asked.append(closed_before)
        return 3


def test_personal_data_of_old_closed_cases_is_purged_everywhere(
    api: TestClient,
    r: redis.Redis,
    keys: Keys,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    old = report(
        1,
        title="噪声扰民 回电13900001111",
        description=f"身份证{OLD['id_number']}，住{OLD_ADDRESS}",
        reporter={**OLD, "address": OLD_ADDRESS},
    )
    kept = report(2, reporter=KEEP)
    ids = api.post("/api/v1/events", json=[old, kept]).json()["incident_ids"]
    close = {
        **report(3),
        "kind": "status",
        "ref": "e-1",
        "status": "closed",
        "note": "已回访 13900001111",
    }
    assert api.post("/api/v1/events", json=close).status_code == 202
    refused = {**report(4, reporter=OLD), "category": "nope"}
    assert api.post("/api/v1/events", json=refused).status_code == 422  # a dead letter
    api.post("/api/v1/events", json=report(5))  # traffic goes on after the close
    drain(r, settings)
    assert r.zrange(keys.closed_index, 0, -1) == [ids[0].encode()]
    # Processed inbox entries are trimmed after processor.inbox_retention_s (a day).
    Processor(
        r,
        keys,
        settings.processor.model_copy(update={"inbox_retention_s": 0}),
        settings_tz(settings),
    ).trim_inbox()
    values = _values(r)
    assert OLD["phone"] in values
    assert OLD["id_number"] in values

    history = History()
    now = datetime.now().astimezone() + timedelta(days=settings.privacy.retention_days + 1)
    with caplog.at_level(logging.INFO, logger="gridwall.history.retention"):
        result = purge_personal(r, keys, settings.privacy.retention_days, now, archives=[history])
    assert (result.incidents, result.deadletters, result.archives) == (1, 1, {"parquet": 3})
    assert history.asked == [now - timedelta(days=settings.privacy.retention_days)]

    values = _values(r)
    for secret in (*OLD.values(), OLD_ADDRESS, "欧阳"):
        assert secret not in values, f"{secret} is still in Redis"
    assert KEEP["phone"] in values  # an open case keeps its reporter
    purged = Incident.model_validate_json(r.get(keys.incident(ids[0])) or b"")
    assert purged.reporter is None
    assert purged.title == "噪声扰民 回电139****1111"  # free text kept, masked
    assert purged.history[-1].action == PURGE_ACTION
    assert r.zcard(keys.closed_index) == 0
    assert api.get(f"/api/v1/incidents/{ids[0]}").json()["reporter"] is None
    assert "13900001111" not in caplog.text
    assert "personal data of 1 closed cases removed" in caplog.text
    (entry,), _ = read_audit(r, keys, AuditQuery(action="retention-purge"))
    assert entry.detail["incidents"] == 1
    again = purge_personal(r, keys, settings.privacy.retention_days, now)
    assert (again.incidents, again.deadletters) == (0, 0)


def test_recently_closed_cases_keep_their_data(
    api: TestClient, r: redis.Redis, keys: Keys, settings: Settings
) -> None:
    (incident_id,) = api.post("/api/v1/events", json=report(1, reporter=OLD)).json()["incident_ids"]
    close = {**report(2), "kind": "status", "ref": "e-1", "status": "closed"}
    api.post("/api/v1/events", json=close)
    drain(r, settings)
    soon = datetime.now().astimezone() + timedelta(days=settings.privacy.retention_days - 1)
    assert purge_personal(r, keys, settings.privacy.retention_days, soon).incidents == 0
    doc = Incident.model_validate_json(r.get(keys.incident(incident_id)) or b"")
    assert doc.reporter is not None
    assert doc.reporter.phone == OLD["phone"]


def test_one_worker_at_a_time_does_the_housekeeping(
    r: redis.Redis, keys: Keys, settings: Settings
) -> None:
    first = Housekeeping(r, keys, settings, settings_tz(settings))
    second = Housekeeping(r, keys, settings, settings_tz(settings))
    assert first.run_once() is not None
    assert second.run_once() is None  # the lock holds for privacy.purge_interval_s
    assert r.ttl(keys.housekeeping_lock) > 0


def settings_tz(settings: Settings) -> ZoneInfo:
    return ZoneInfo(settings.timezone)
