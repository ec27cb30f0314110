"""The Hikvision parser on recorded payloads: every namespace, JSON, multipart, heartbeats."""

from __future__ import annotations

from datetime import datetime

import pytest

from feeds.adapters.hikvision.parse import parse
from feeds.alarms.devices import DeviceAlarm, DeviceHeartbeat
from gridwall.contract.refusal import PayloadError
from gridwall.refdata.model import IdentityKind
from tests.feeds.feedkit import TZ, fixture, fixture_names

MULTIPART = "multipart/form-data; boundary=boundary"


def one(body: bytes, ctype: str = "application/xml") -> DeviceAlarm | DeviceHeartbeat:
    items = parse(body, ctype, zone=TZ)
    assert len(items) == 1
    return items[0]


@pytest.mark.parametrize("name", fixture_names("hikvision", "ns-*.xml"))
def test_every_namespace_variant_gives_the_same_alarm(name: str) -> None:
    alarm = one(fixture("hikvision", name), "text/xml; charset=UTF-8")
    assert isinstance(alarm, DeviceAlarm)
    assert alarm.alarm_type == "intrusion"
    assert alarm.phase == "start"
    assert alarm.identities[0].kind is IdentityKind.MAC
    assert alarm.identities[0].value == "44:19:b6:00:12:7a/2"
    assert alarm.identities[1].value == "10.20.3.41/2"
    assert alarm.device_time == datetime.fromisoformat("2026-11-20T21:14:05+08:00")
    assert alarm.extra["channelname"] == "东门广场"


def test_no_namespace_dyn_channel_and_missing_offset() -> None:
    alarm = one(fixture("hikvision", "no-namespace-linedetection.xml"))
    assert isinstance(alarm, DeviceAlarm)
    assert alarm.alarm_type == "line_crossing"
    assert alarm.identities[0].value == "44:19:b6:00:12:7b/1"  # dashes folded, dynChannelID
    assert alarm.device_time is not None
    assert alarm.device_time.utcoffset() == TZ.utcoffset(alarm.device_time.replace(tzinfo=None))
    assert alarm.device_time.microsecond == 120_000


def test_videoloss_inactive_without_posts_is_a_heartbeat() -> None:
    assert isinstance(one(fixture("hikvision", "heartbeat-videoloss.xml")), DeviceHeartbeat)


def test_an_inactive_motion_is_an_end_not_a_heartbeat() -> None:
    alarm = one(fixture("hikvision", "vmd-inactive.xml"))
    assert isinstance(alarm, DeviceAlarm)
    assert (alarm.alarm_type, alarm.phase) == ("motion", "end")


def test_duration_wrappers_are_unwrapped() -> None:
    alarm = one(fixture("hikvision", "duration-wrapper.xml"))
    assert isinstance(alarm, DeviceAlarm)
    assert alarm.alarm_type == "region_entrance"
    wrapped = one(fixture("hikvision", "json-wrapped.json"), "application/json")
    assert isinstance(wrapped, DeviceAlarm)
    assert wrapped.alarm_type == "loitering"


def test_the_json_envelope() -> None:
    alarm = one(fixture("hikvision", "json-envelope.json"), "application/json")
    assert isinstance(alarm, DeviceAlarm)
    assert alarm.alarm_type == "region_exit"
    assert alarm.identities[0].value == "44:19:b6:00:12:7a/2"


def test_multipart_picks_the_xml_part_by_type_and_keeps_three_jpegs() -> None:
    alarm = one(fixture("hikvision", "multipart-3-jpeg.bin"), MULTIPART)
    assert isinstance(alarm, DeviceAlarm)
    assert alarm.alarm_type == "line_crossing"
    assert len(alarm.images) == 3
    assert all(image.startswith(b"\xff\xd8\xff") for image in alarm.images)


def test_multipart_without_images_and_with_a_json_part() -> None:
    alarm = one(fixture("hikvision", "multipart-0-jpeg.bin"), MULTIPART)
    assert isinstance(alarm, DeviceAlarm)
    assert (alarm.alarm_type, alarm.images) == ("motion", ())
    with_json = one(fixture("hikvision", "multipart-json-1-jpeg.bin"), MULTIPART)
    assert isinstance(with_json, DeviceAlarm)
    assert with_json.alarm_type == "region_exit"
    assert len(with_json.images) == 1


def test_bare_ampersands_and_stray_brackets_are_recovered() -> None:
    alarm = one(fixture("hikvision", "malformed-bare-amp.xml"))
    assert isinstance(alarm, DeviceAlarm)
    assert alarm.alarm_type == "tamper"
    assert alarm.extra["recovered"] == "1"
    assert alarm.extra["channelname"] == "A&B 1<2"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (fixture("hikvision", "entity-bomb.xml"), "forbidden XML construct"),
        (
            b"<EventNotificationAlert><eventType>VMD</eventType></EventNotificationAlert>",
            "names no device",
        ),
        (b"<Other><a>1</a></Other>", "not an EventNotificationAlert"),
        (b"<EventNotificationAlert><ipAddress>1.2.3.4</ipAddress>", "malformed XML"),
        (b"hello", "not XML"),
    ],
)
def test_bad_bodies_are_refused_with_a_reason(body: bytes, reason: str) -> None:
    with pytest.raises(PayloadError) as caught:
        parse(body, "application/xml", zone=TZ)
    assert reason in caught.value.reason
