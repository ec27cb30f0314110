"""Frigate MQTT messages (pure)."""

from __future__ import annotations

import pytest

from feeds.adapters.frigate.config import FrigateSource
from feeds.adapters.frigate.parse import parse_message
from feeds.alarms.devices import DeviceAlarm, DeviceHeartbeat
from gridwall.contract.refusal import PayloadError
from tests.feeds.feedkit import fixture

SOURCE = FrigateSource(
    id="frigate", type="frigate", min_score=0.5, frigate_url="http://frigate.local:5000"
)  # type: ignore[arg-type]


def one(topic: str, name: str) -> DeviceAlarm | DeviceHeartbeat:
    (item,) = parse_message(topic, fixture("frigate", name), SOURCE)
    return item


def test_new_and_end_bracket_an_alarm_with_a_snapshot_link() -> None:
    new = one("events", "event-new.json")
    assert isinstance(new, DeviceAlarm)
    assert (new.alarm_type, new.phase) == ("person", "start")
    assert new.identities[0].value == "school_gate"
    assert new.source_event_id == "event:1795266900.475377-mxklsc:new"
    assert new.snapshot_urls == (
        "http://frigate.local:5000/api/events/1795266900.475377-mxklsc/snapshot.jpg",
    )
    assert new.extra["zones"] == "gate"
    end = one("events", "event-end.json")
    assert isinstance(end, DeviceAlarm)
    assert end.phase == "end"
    assert end.device_time is not None


@pytest.mark.parametrize(
    "name", ["event-update.json", "event-false-positive.json", "event-car-low-score.json"]
)
def test_updates_false_positives_and_low_scores_only_prove_liveness(name: str) -> None:
    assert isinstance(one("events", name), DeviceHeartbeat)


def test_reviews_of_the_wanted_severity_are_alarms() -> None:
    alert = one("reviews", "review-alert-new.json")
    assert isinstance(alert, DeviceAlarm)
    assert (alert.alarm_type, alert.priority, alert.phase) == ("person", 2, "start")
    assert isinstance(one("reviews", "review-alert-end.json"), DeviceAlarm)
    assert isinstance(one("reviews", "review-detection-new.json"), DeviceHeartbeat)


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"[]",
        b'{"type": "new"}',
        b'{"type": "odd", "after": {"camera": "x"}}',
        b'{"type": "new", "after": {"camera": ""}}',
        b'{"type": "new", "after": {"camera": "x", "label": "person", "score": 0.9}}',
    ],
)
def test_bad_messages_are_refused(payload: bytes) -> None:
    with pytest.raises(PayloadError):
        parse_message("events", payload, SOURCE)
