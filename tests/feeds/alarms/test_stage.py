"""The processor's alarm step on a real Redis: merging, rules opening exactly one incident,
replays changing nothing, unknown devices kept."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import redis

from feeds.alarms.devices import DeviceAlarm, Identity
from feeds.sources.sink import FeedSink
from gridwall.engine.incident import Incident
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.refdata.model import IdentityKind
from gridwall.refdata.registry import Registry
from gridwall.runtime import Runtime
from tests.feeds.feedkit import TZ, drain, feeds_settings, store_cameras

RULES = """
rules:
  - name: intrusion-opens
    types: [intrusion]
    category: "13"
    urgency: urgent
categories:
  motion: "04"
"""
GB_CAMERA = Identity(IdentityKind.GB28181, "32011500001320000042")
BASE = datetime.now(TZ).replace(microsecond=0) - timedelta(seconds=30)


@pytest.fixture
def sink(
    settings: Settings, tmp_path: Path, r: redis.Redis, keys: Keys, demo_registry: Registry
) -> FeedSink:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    store_cameras(r, keys, demo_registry)
    chosen = feeds_settings(settings, tmp_path, "", alarms={"rules": rules})
    return FeedSink(Runtime.create(chosen, chosen.redis_url or ""))


def device_alarm(n: int, kind: str = "intrusion", ident: Identity = GB_CAMERA) -> DeviceAlarm:
    return DeviceAlarm(
        identities=(ident,),
        alarm_type=kind,
        device_time=BASE + timedelta(seconds=n),
        source_event_id=f"sn-{n}-{kind}",
        vendor="gb28181",
    )


def incidents(r: redis.Redis, keys: Keys) -> list[Incident]:
    return [Incident.model_validate_json(r.get(k)) for k in r.scan_iter(keys.incident_pattern)]


def test_a_rule_opens_one_incident_for_a_storm(sink: FeedSink, r: redis.Redis, keys: Keys) -> None:
    settings = sink.rt.settings
    received = sink.rt.now()
    for n in range(5):
        at = received + timedelta(seconds=n)
        sink.submit_device("gb", [device_alarm(n)], b"<Notify/>", received=at)
    sink.submit_device("gb", [device_alarm(9, "motion")], b"<Notify/>")
    drain(r, settings)
    found = incidents(r, keys)
    assert len(found) == 1
    incident = found[0]
    assert (incident.source, incident.category, incident.urgency.value) == ("gb", "13", "urgent")
    assert incident.title == "东门广场 区域入侵"
    assert incident.reported_at == BASE  # the device's time (it agrees with the receive time)
    assert incident.area.grid is not None
    alarms = {a["alarm_type"]: a for a in sink_alarms(r, keys)}
    assert alarms["intrusion"]["count"] == 5
    assert alarms["intrusion"]["incident_id"] == incident.id
    assert alarms["motion"]["incident_id"] is None
    assert alarms["motion"]["category"] == "04"  # the rules file's category override
    ops = [f[b"op"] for _, f in r.xrange(keys.alarm_changes)]
    assert ops.count(b"new") == 2
    stats = r.hgetall(keys.daily_stats(sink.rt.now().strftime("%Y%m%d")))
    assert (stats[b"alarms:received"], stats[b"alarms:new"]) == (b"6", b"2")
    # Per camera for the briefing's noisiest cameras; none came from an unknown device.
    camera = alarms["intrusion"]["camera_id"]
    assert stats[f"alarms:cam:{camera}".encode()] == b"6"
    assert stats[b"alarms:unknown"] == b"0"


def sink_alarms(r: redis.Redis, keys: Keys) -> list[dict[str, object]]:
    docs = [json.loads(r.get(keys.alarm(i.decode()))) for i in r.zrange(keys.alarm_index, 0, -1)]
    return docs


def test_a_replayed_inbox_changes_nothing(sink: FeedSink, r: redis.Redis, keys: Keys) -> None:
    settings = sink.rt.settings
    for n in range(3):
        sink.submit_device("gb", [device_alarm(n)], b"<Notify/>")
    drain(r, settings)
    before = {k: r.get(k) for k in r.scan_iter(f"{keys.prefix}:alarm:doc:*")}
    for _id, fields in r.xrange(keys.inbox):
        r.xadd(keys.inbox, fields)
    drain(r, settings)
    after = {k: r.get(k) for k in r.scan_iter(f"{keys.prefix}:alarm:doc:*")}
    assert after == before
    assert len(incidents(r, keys)) == 1


def test_the_same_device_event_twice_is_taken_once(sink: FeedSink) -> None:
    first = sink.submit_device("gb", [device_alarm(1)], b"<Notify/>")
    again = sink.submit_device("gb", [device_alarm(1)], b"<Notify/>")
    assert (first.alarms, again.alarms, again.duplicates) == (1, 0, 1)


def test_an_unknown_device_with_a_position_is_placed_in_its_grid(
    sink: FeedSink, r: redis.Redis, keys: Keys, demo_registry: Registry
) -> None:
    grid = next(a for a in demo_registry.areas.values() if a.level.value == "grid" and a.centroid)
    assert grid.centroid is not None
    stranger = DeviceAlarm(
        identities=(Identity(IdentityKind.GB28181, "32011500001310000999"),),
        alarm_type="loitering",
        lon=grid.centroid[0],
        lat=grid.centroid[1],
        vendor="gb28181",
    )
    taken = sink.submit_device("gb", [stranger], b"<Notify/>")
    assert taken.unknown == ["gb28181:32011500001310000999"]
    drain(r, sink.rt.settings)
    (alarm,) = sink_alarms(r, keys)
    assert alarm["camera_id"] is None
    assert alarm["area"]["grid"] == grid.code  # type: ignore[index]
    assert r.hexists(keys.cameras_unknown, "gb28181:32011500001310000999")
