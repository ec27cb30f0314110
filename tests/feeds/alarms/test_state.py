"""Pure decisions of storm control and the rules that open incidents."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridwall.contract.events import Alarm, AreaPath
from gridwall.engine.alarms.rules import AlarmFacts, AlarmRule, RuleSet, first_match, load_rules
from gridwall.engine.alarms.state import MergedAlarm, decide
from tests.feeds.feedkit import TZ

T0 = datetime(2026, 11, 20, 23, 0, tzinfo=TZ)
RULES = RuleSet(
    rules=[
        AlarmRule(name="night", types=["intrusion"], hours=["22:00-06:00"]),
        AlarmRule(name="quiet-school", groups=["schools"], incident=False),
        AlarmRule(name="urgent", max_priority=1),
    ]
)


def alarm(
    n: int,
    at: datetime,
    *,
    kind: str = "intrusion",
    phase: str = "start",
    priority: int = 3,
    camera: str | None = "cam-1",
    device_time: datetime | None = None,
) -> Alarm:
    return Alarm(
        event_id=f"{n:020x}" + "a" * 12,
        source="cams",
        source_event_id=str(n),
        received_at=at,
        camera_id=camera,
        device_key="mac:44:19:b6:00:12:7a/2",
        alarm_type=kind,
        priority=priority,
        device_time=device_time,
        area=AreaPath(county="320115", grid="320115001001001"),
        phase=phase,  # type: ignore[arg-type]
    )


def run(events: list[Alarm], window: float = 60.0) -> list[tuple[str | None, MergedAlarm | None]]:
    current: MergedAlarm | None = None
    found = []
    for event in events:
        decision = decide(
            current, event, rules=RULES, group=None, window_s=window, skew_s=300, tz=TZ
        )
        if decision.alarm is not None:
            current = decision.alarm
        found.append((decision.op, decision.alarm))
    return found


def test_repeats_within_the_window_merge_with_a_count() -> None:
    steps = run([alarm(i, T0 + timedelta(seconds=i)) for i in range(30)])
    assert [op for op, _ in steps] == ["new"] + ["merge"] * 29
    last = steps[-1][1]
    assert last is not None
    assert last.count == 30
    assert last.first_at == T0
    assert last.last_at == T0 + timedelta(seconds=29)
    assert len(last.seen) == 30


def test_a_gap_longer_than_the_window_starts_a_new_alarm() -> None:
    steps = run([alarm(1, T0), alarm(2, T0 + timedelta(seconds=61))])
    assert [op for op, _ in steps] == ["new", "new"]


def test_the_window_slides_with_the_last_repeat() -> None:
    steps = run([alarm(i, T0 + timedelta(seconds=50 * i)) for i in range(5)])
    assert [op for op, _ in steps] == ["new", "merge", "merge", "merge", "merge"]


def test_an_end_closes_and_a_lonely_end_does_nothing() -> None:
    steps = run([alarm(1, T0), alarm(2, T0 + timedelta(seconds=5), phase="end")])
    assert steps[1][0] == "end"
    ended = steps[1][1]
    assert ended is not None
    assert (ended.active, ended.count) == (False, 1)
    assert run([alarm(3, T0, phase="end")]) == [(None, None)]


def test_a_replayed_event_changes_nothing_and_priority_takes_the_most_urgent() -> None:
    first = alarm(1, T0, priority=3)
    steps = run([first, alarm(2, T0 + timedelta(seconds=1), priority=1), first])
    assert steps[2] == (None, None)
    merged = steps[1][1]
    assert merged is not None
    assert merged.priority == 1


def test_rules_decide_at_the_first_alarm_only() -> None:
    night = decide(None, alarm(1, T0), rules=RULES, group=None, window_s=60, skew_s=300, tz=TZ)
    assert night.rule is not None
    assert night.rule.name == "night"
    day = decide(
        None, alarm(2, T0.replace(hour=14)), rules=RULES, group=None, window_s=60, skew_s=300, tz=TZ
    )
    assert day.rule is None
    assert day.alarm is not None
    merged = decide(
        night.alarm,
        alarm(3, T0 + timedelta(seconds=2)),
        rules=RULES,
        group=None,
        window_s=60,
        skew_s=300,
        tz=TZ,
    )
    assert (merged.op, merged.rule) == ("merge", None)


def test_a_silencing_rule_wins_when_it_comes_first() -> None:
    event = alarm(1, T0.replace(hour=14), priority=1)
    silenced = decide(None, event, rules=RULES, group="schools", window_s=60, skew_s=300, tz=TZ)
    assert silenced.rule is None
    assert silenced.alarm is not None
    assert silenced.alarm.rule == "quiet-school"


def test_a_skewed_device_clock_is_flagged_and_not_used_for_the_time_of_day() -> None:
    lying = alarm(1, T0.replace(hour=14), device_time=T0.replace(hour=23) - timedelta(days=3))
    decision = decide(None, lying, rules=RULES, group=None, window_s=60, skew_s=300, tz=TZ)
    assert decision.alarm is not None
    assert decision.alarm.clock_skew is True
    assert decision.rule is None  # 14:00 receive time, not the device's 23:00


@pytest.mark.parametrize(
    ("window", "hour", "inside"),
    [
        ("22:00-06:00", 23, True),
        ("22:00-06:00", 5, True),
        ("22:00-06:00", 12, False),
        ("08:00-18:00", 12, True),
        ("08:00-18:00", 19, False),
        ("00:00-24:00", 23, True),
    ],
)
def test_time_windows_wrap_midnight(window: str, hour: int, inside: bool) -> None:
    rules = RuleSet(rules=[AlarmRule(name="w", hours=[window])])
    facts = AlarmFacts("motion", 4, None, None, "x", T0.replace(hour=hour, minute=30))
    assert (first_match(rules, facts) is not None) is inside


def test_zones_match_any_level_of_the_area() -> None:
    rules = RuleSet(rules=[AlarmRule(name="z", zones=["320115001000"])])
    area = AreaPath(county="320115", street="320115001000", grid="320115001001001")
    assert first_match(rules, AlarmFacts("motion", 4, area, None, "x", T0)) is not None
    other = AreaPath(county="320115", street="320115002000")
    assert first_match(rules, AlarmFacts("motion", 4, other, None, "x", T0)) is None


def test_the_shipped_rules_load_and_unknown_types_are_refused(tmp_path: object) -> None:
    assert load_rules(None).rules
    with pytest.raises(ValueError, match="unknown alarm type"):
        AlarmRule(name="x", types=["teleport"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=600), min_size=1, max_size=80))
def test_a_storm_gives_at_most_one_alarm_per_window(offsets: list[float]) -> None:
    events = [alarm(i, T0 + timedelta(seconds=s)) for i, s in enumerate(sorted(offsets))]
    steps = run(events, window=60)
    news = [a for op, a in steps if op == "new" and a is not None]
    for earlier, later in itertools.pairwise(news):
        assert (later.first_at - earlier.first_at).total_seconds() > 60
    assert sum(a.count for a in [s for op, s in steps if op == "new"] if a) <= len(events)
    final = {a.id: a for _, a in steps if a is not None}
    assert sum(a.count for a in final.values()) == len(events)
