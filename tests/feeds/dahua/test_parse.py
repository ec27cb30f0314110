"""Dahua event-stream parts and Start/Stop pairing (pure)."""

from __future__ import annotations

import pytest

from feeds.adapters.dahua.parse import DahuaEvent, Heartbeat, Pairing, parse_part, to_item
from feeds.adapters.multipart import PartStream
from gridwall.contract.refusal import PayloadError
from tests.feeds.feedkit import fixture


def parts(name: str, chunk: int) -> list[bytes]:
    stream = PartStream(b"myboundary", 65_536)
    data = fixture("dahua", name)
    found = []
    for start in range(0, len(data), chunk):
        found += [p.body for p in stream.feed(data[start : start + chunk])]
    return found


@pytest.mark.parametrize("chunk", [1, 7, 64, 100_000])
def test_the_stream_splits_into_the_same_parts_however_it_arrives(chunk: int) -> None:
    bodies = parts("stream-1.txt", chunk)
    assert len(bodies) == 7
    assert bodies[0] == b"Heartbeat"
    assert bodies[1] == b"Code=VideoMotion;action=Start;index=0"
    assert bodies[3].startswith(b"Code=CrossLineDetection;action=Start;index=1;data={")


def test_parts_parse_with_data() -> None:
    assert isinstance(parse_part(b"Heartbeat"), Heartbeat)
    event = parse_part(parts("stream-1.txt", 1000)[3])
    assert isinstance(event, DahuaEvent)
    assert (event.code, event.action, event.index) == ("CrossLineDetection", "Start", 1)
    assert event.data == {"Name": "Rule1", "Direction": "LeftToRight", "UTC": 1795266900}
    item = to_item(event, "start", kind="ip", device="10.0.0.8", offset=1)
    assert item.alarm_type == "line_crossing"
    assert item.identities[0].value == "10.0.0.8/2"
    assert item.device_time is not None
    assert item.extra["rule"] == "Rule1"
    with pytest.raises(PayloadError):
        parse_part(b"this is not an event")
    with pytest.raises(PayloadError):
        parse_part(b"Code=X;action=Start;index=abc")


def test_pairing_keeps_start_and_stop_honest() -> None:
    pairing = Pairing()
    start = DahuaEvent("VideoMotion", "Start", 0)
    stop = DahuaEvent("VideoMotion", "Stop", 0)
    assert pairing.phase(stop) is None  # a Stop without its Start
    assert pairing.phase(start) == "start"
    assert pairing.phase(start) == "start"  # a repeat: storm control merges it
    assert pairing.phase(DahuaEvent("VideoMotion", "State", 0)) is None
    assert pairing.phase(stop) == "end"
    assert pairing.phase(stop) is None
    assert pairing.phase(DahuaEvent("VideoBlind", "Pulse", 2)) == "pulse"
