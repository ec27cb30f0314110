"""The alarm strip, the chime and quiet hours, the ticker (pure)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from dashboard.wall.openset import OpenSet
from dashboard.wall.strip import (
    Ack,
    candidates,
    chime_due,
    is_quiet,
    parse_quiet_hours,
    strip,
)
from dashboard.wall.ticker import alarm_event, incident_event, seed
from tests.dashboard.wall.test_openset import case

TZ = ZoneInfo("Asia/Shanghai")


def video(n: int, priority: int = 2) -> dict[str, object]:
    return {
        "id": f"a{n}",
        "label": "区域入侵",
        "priority": priority,
        "grid": "g1",
        "last_at": f"2026-11-27T09:{n:02d}:30+08:00",
        "first_at": "2026-11-27T09:00:00+08:00",
    }


def test_the_strip_shows_unacknowledged_items_first_newest_first() -> None:
    cases = OpenSet(
        [case(1, urgency="urgent"), case(5, sla="overdue", deadline="2026-11-27T09:20:00+08:00")]
    )
    items = candidates(cases, [(video(10), "东门广场"), (video(30, 4), None)], 10)
    assert {i.key for i in items} == {"inc:c1", "sla:c5:2026-11-27T09:20:00+08:00", "cam:a10",
                                      "cam:a30"}  # fmt: skip
    acks = {"cam:a30": Ack("zhang", 1.0)}
    shown = strip(items, acks, 10)
    assert [i.key for i in shown] == ["sla:c5:2026-11-27T09:20:00+08:00", "cam:a10", "inc:c1",
                                      "cam:a30"]  # fmt: skip
    assert shown[-1].ack == Ack("zhang", 1.0)
    assert shown[1].title == "区域入侵 · 东门广场"
    assert [i.priority for i in shown] == [2, 2, 1, 4]
    assert len(strip(items, acks, 2)) == 2


def test_a_chime_for_new_unacknowledged_top_priority_items_only() -> None:
    cases = OpenSet([case(1, urgency="urgent")])
    old = strip(candidates(cases, [], 10), {}, 10)
    cases.apply(case(2, urgency="urgent"))
    new = strip(candidates(cases, [(video(3, 1), None), (video(4, 3), None)], 10), {}, 10)
    assert {i.key for i in chime_due(old, new, 1)} == {"inc:c2", "cam:a3"}
    assert {i.key for i in chime_due(old, new, 3)} == {"inc:c2", "cam:a3", "cam:a4"}
    acked = strip(new, {"inc:c2": Ack("li", 2.0)}, 10)
    assert {i.key for i in chime_due(old, acked, 1)} == {"cam:a3"}
    assert chime_due(new, new, 4) == []


@pytest.mark.parametrize(
    ("spec", "clock", "quiet"),
    [
        ("22:00-07:00", "23:30", True),
        ("22:00-07:00", "06:59", True),
        ("22:00-07:00", "07:00", False),
        ("22:00-07:00", "12:00", False),
        ("12:00-14:00", "13:00", True),
        ("12:00-14:00", "14:00", False),
        (None, "03:00", False),
    ],
)
def test_quiet_hours_may_span_midnight(spec: str | None, clock: str, quiet: bool) -> None:
    moment = datetime.fromisoformat(f"2026-11-27T{clock}:00").replace(tzinfo=TZ)
    assert is_quiet(moment, parse_quiet_hours(spec)) is quiet


def test_ticker_events_from_changes() -> None:
    cases = OpenSet([case(1, sla="warning")])
    before = cases.get("c1")
    assert incident_event("new", case(2), None) is not None
    breach = incident_event("update", case(1, sla="overdue", deadline="x"), before)
    assert breach is not None
    assert breach.kind == "breach"
    assert incident_event("update", case(1, sla="warning"), before) is None
    closed = incident_event("close", case(1, status="closed"), before)
    assert closed is not None
    assert closed.kind == "close"
    assert closed.area == "s1"
    item = alarm_event("new", video(3), "东门")
    assert item is not None
    assert item.title == "区域入侵 · 东门"
    assert alarm_event("merge", video(3), "东门") is None


def test_a_restarted_ticker_is_refilled_from_the_newest_reports_and_the_streams_tails() -> None:
    at = "2026-11-27T09:{:02d}:00+08:00".format
    reports = [case(9), case(8), case(1)]  # the newest reports, newest first
    changes = [  # the changes stream's tail, oldest first
        ("new", case(8)),
        ("update", case(8, sla="warning", updated_at=at(10))),
        ("update", case(8, sla="overdue", updated_at=at(20))),  # a breach seen in the tail
        ("update", case(7, sla="overdue", updated_at=at(21))),  # its earlier state is not
        ("update", case(6, status="closed", updated_at=at(22))),
        ("close", case(5, status="closed", updated_at=at(23))),
    ]
    alarms = [("new", video(3), "东门"), ("merge", video(3), "东门")]
    items = seed(reports, changes, alarms, size=20)
    assert [i.key for i in items] == [
        "close:c5", "breach:c8:None", "report:c9", "report:c8", "report:c1", "video:a3",
    ]  # fmt: skip
    assert [i.key for i in seed(reports, changes, alarms, size=2)] == ["close:c5", "breach:c8:None"]
