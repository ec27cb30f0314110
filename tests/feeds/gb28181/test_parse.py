"""GB/T 28181 MANSCDP notifications and SIP requests (pure)."""

from __future__ import annotations

from datetime import datetime

import pytest

from feeds.adapters.gb28181.parse import (
    decode_device_id,
    parse_manscdp,
    parse_sip,
    sip_response,
)
from feeds.alarms.devices import DeviceAlarm, DeviceHeartbeat
from gridwall.contract.refusal import PayloadError
from tests.feeds.feedkit import TZ, fixture


def test_an_intrusion_alarm_in_gb18030() -> None:
    (alarm,) = parse_manscdp(fixture("gb28181", "alarm-intrusion-gb18030.xml"), zone=TZ)
    assert isinstance(alarm, DeviceAlarm)
    assert alarm.alarm_type == "intrusion"
    assert alarm.priority == 2
    assert alarm.description == "区域入侵（东门广场）𠀀"  # outside GB2312: decoded as GB18030
    assert alarm.device_time == datetime(2026, 11, 20, 21, 15, tzinfo=TZ)
    assert (alarm.lon, alarm.lat) == (118.7781, 31.952)
    assert alarm.identities[0].value == "32011500001320000042"
    assert alarm.extra["device_type"] == "IPC"
    assert alarm.extra["division"] == "32011500"
    assert alarm.source_event_id == "32011500001320000042:17:2026-11-20T21:15:00"


def test_unpadded_times_and_combined_methods() -> None:
    (alarm,) = parse_manscdp(fixture("gb28181", "alarm-combined-method-unpadded.xml"), zone=TZ)
    assert isinstance(alarm, DeviceAlarm)
    assert alarm.device_time == datetime(2026, 1, 5, 7, 3, 9, tzinfo=TZ)
    assert alarm.alarm_type == "motion"  # method 5 (video), type 2 at top level
    assert alarm.priority == 1


def test_a_device_that_lies_about_its_encoding_is_overridden() -> None:
    body = fixture("gb28181", "alarm-utf8-declared-gb2312.xml")
    (guessed,) = parse_manscdp(body, zone=TZ)
    assert isinstance(guessed, DeviceAlarm)
    assert guessed.description == "开关量报警 & 门磁"  # valid UTF-8 wins over the declaration
    assert guessed.alarm_type == "video_loss"  # method 2 (device), type 1
    overrides = {"32011500001340000007": "utf-8"}
    (forced,) = parse_manscdp(body, zone=TZ, encoding="gb18030", device_encodings=overrides)
    assert isinstance(forced, DeviceAlarm)
    assert forced.description == "开关量报警 & 门磁"
    with pytest.raises(PayloadError, match="not valid gb18030"):
        parse_manscdp(body, zone=TZ, encoding="gb18030")


def test_keepalive_is_a_heartbeat_and_other_commands_are_not_alarms() -> None:
    (beat,) = parse_manscdp(fixture("gb28181", "keepalive.xml"), zone=TZ)
    assert isinstance(beat, DeviceHeartbeat)
    assert parse_manscdp(fixture("gb28181", "mobile-position.xml"), zone=TZ) == []


@pytest.mark.parametrize(
    ("device_id", "expected"),
    [
        ("32011500001320000042", ("32011500", "132", "IPC", "000042")),
        ("34020000001180000001", ("34020000", "118", "NVR", "000001")),
        ("34020000002000000001", ("34020000", "200", "SIP server", "000001")),
    ],
)
def test_twenty_digit_ids_are_decoded(device_id: str, expected: tuple[str, ...]) -> None:
    parts = decode_device_id(device_id)
    assert (parts["division"], parts["type_code"], parts["device_type"], parts["serial"]) == (
        expected
    )
    assert decode_device_id("1234") == {}


def test_a_sip_message_and_its_answer() -> None:
    raw = fixture("gb28181", "sipp-alarm-message.xml")
    start = raw.index(b"MESSAGE sip:")
    text = raw[start : raw.index(b"]]>")].strip()
    text = text.replace(b"[remote_ip]:[remote_port]", b"127.0.0.1:5060").replace(b"\n", b"\r\n")
    request = parse_sip(text.replace(b"[len]", b"999"))
    assert request.method == "MESSAGE"
    assert request.from_user == "32011500001180000001"
    assert request.header("content-type") == "Application/MANSCDP+xml"
    answer = sip_response(request, 200, "OK").decode()
    assert answer.startswith("SIP/2.0 200 OK\r\n")
    assert "CSeq: 20 MESSAGE" in answer
    assert ";tag=gw" in answer
    with pytest.raises(PayloadError):
        parse_sip(b"HELLO WORLD\r\n\r\n")
