"""Every figure of the golden day's briefing, recomputed here plainly from the incidents."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta

import pytest

from dashboard.briefing.model import Briefing, Count, Rates
from gridwall.engine.incident import Incident, Stage
from gridwall.refdata.registry import Registry
from tests.dashboard.briefing.golden import ALARM_COUNTERS, AS_OF, DAY, TZ, Golden

FEEDBACK = ("feedback_first", "feedback_result")


def start(day: date) -> datetime:
    return datetime.combine(day, time(0), TZ)


def inside(moment: datetime | None, first: date, days: int = 1) -> bool:
    return moment is not None and start(first) <= moment < start(first + timedelta(days=days))


def top_class(registry: Registry, code: str) -> str:
    while (parent := registry.categories[code].parent) is not None:
        code = parent
    return code


def counts(incidents: Iterable[Incident], key: Callable[[Incident], str]) -> dict[str, tuple]:
    """key → (day, previous, 7-day average) of the cases reported."""
    cases = list(incidents)
    day = Counter(key(i) for i in cases if inside(i.reported_at, DAY))
    previous = Counter(key(i) for i in cases if inside(i.reported_at, DAY - timedelta(1)))
    week = Counter(key(i) for i in cases if inside(i.reported_at, DAY - timedelta(7), 7))
    return {
        k: (day[k], previous[k], round(week[k] / 7, 1))
        for k in set(day) | set(previous) | set(week)
    }


def same_counts(rows: list[Count], expected: dict[str, tuple]) -> None:
    got = {(r.key or ""): (r.day, r.previous, r.week_avg) for r in rows}
    assert got == expected


def closed(i: Incident) -> bool:
    return i.status.value in ("closed", "evaluated")


def rates(incidents: list[Incident], first: date, days: int = 1) -> Rates:
    due = [i for i in incidents if inside(i.due_at, first, days)]
    shut = [i for i in due if closed(i)]
    timely = [i for i in shut if i.on_time]
    return Rates(
        received=sum(inside(i.reported_at, first, days) for i in incidents),
        closures=sum(closed(i) and inside(i.closed_at, first, days) for i in incidents),
        due=len(due),
        closed=len(shut),
        closed_on_time=len(timely),
        close_rate=len(shut) / len(due) if due else None,
        on_time_rate=len(timely) / len(due) if due else None,
    )


def running(i: Incident) -> list[Stage]:
    return [s for s in i.stages.values() if i.is_open and s.running_since is not None
            and s.ended_at is None and s.name.value not in FEEDBACK]  # fmt: skip


def overdue_since(i: Incident) -> datetime | None:
    late = [s.deadline for s in running(i) if s.deadline is not None and s.deadline <= AS_OF]
    return min(late) if late else None


def near(i: Incident) -> bool:
    return overdue_since(i) is None and any(
        t < 100 and m <= AS_OF for s in running(i) for t, m in s.marks.items()
    )


# -- the tests ---------------------------------------------------------------------------------
def test_the_golden_day_has_everything(golden: Golden) -> None:
    day = [i for i in golden.incidents if inside(i.reported_at, DAY)]
    assert len(day) > 30
    assert {i.source for i in day} >= {"gridapp", "hotline", "video"}
    assert any(i.location is None for i in day)
    assert any(i.is_open and overdue_since(i) for i in golden.incidents)
    assert any(near(i) for i in golden.incidents)


def test_intake_against_the_day_before_and_the_week(briefing: Briefing, golden: Golden) -> None:
    cases = golden.incidents
    (total,) = counts(cases, lambda _i: "").values()
    assert (briefing.total.day, briefing.total.previous, briefing.total.week_avg) == total
    same_counts(briefing.sources, counts(cases, lambda i: i.source))
    same_counts(
        briefing.categories, counts(cases, lambda i: top_class(golden.registry, i.category))
    )
    same_counts(briefing.streets, counts(cases, lambda i: i.area.street or ""))
    assert [c.day for c in briefing.streets] == sorted(
        (c.day for c in briefing.streets), reverse=True
    )
    assert sum(c.day for c in briefing.sources) == briefing.total.day
    names = {c.key: c.name for c in briefing.streets}
    for code, name in names.items():
        assert golden.registry.areas[code or ""].name == name


def test_closures_and_the_two_rates_as_the_metrics_define_them(
    briefing: Briefing, golden: Golden
) -> None:
    cases = golden.incidents
    assert briefing.closure == rates(cases, DAY)
    assert briefing.closure_previous == rates(cases, DAY - timedelta(1))
    assert briefing.closure_week == rates(cases, DAY - timedelta(7), 7)
    assert briefing.closure.due > 5


def test_backlog_and_the_worst_overdue_cases(briefing: Briefing, golden: Golden) -> None:
    cases = golden.incidents
    assert briefing.as_of == AS_OF
    assert briefing.backlog.open == sum(i.is_open for i in cases)
    assert briefing.backlog.overdue == sum(overdue_since(i) is not None for i in cases)
    assert briefing.backlog.near_deadline == sum(near(i) for i in cases)
    late = sorted((overdue_since(i), i.id) for i in cases if overdue_since(i) is not None)
    assert [c.id for c in briefing.overdue] == [i for _s, i in late[:10]]
    assert [c.overdue_since for c in briefing.overdue] == [s for s, _i in late[:10]]
    assert all("****" in c.title for c in briefing.overdue)  # the phone in the title, masked


def test_departments_ranked_with_the_minimum_sample(briefing: Briefing, golden: Golden) -> None:
    first = DAY - timedelta(days=6)
    rows: dict[str, list[int]] = {}
    for i in golden.incidents:
        stage = i.stages.get("handle")
        if stage is None or stage.outcome == "cancelled" or not inside(stage.deadline, first, 7):
            continue
        row = rows.setdefault(stage.department or "", [0, 0, 0])
        row[0] += 1
        row[1] += closed(i)
        row[2] += closed(i) and bool(i.on_time)
    ranked = sorted(
        ((k, due, shut, timely) for k, (due, shut, timely) in rows.items() if due >= 3),
        key=lambda r: (-r[3] / r[1 - 1 + 1 - 1 + 1 - 1 + 1], -r[2] / r[1], -r[1], r[0]),
    )
    assert [d.key for d in briefing.departments] == [r[0] for r in ranked]
    for got, (key, due, shut, timely) in zip(briefing.departments, ranked, strict=True):
        assert (got.due, got.closed, got.closed_on_time) == (due, shut, timely)
        assert got.on_time_rate == pytest.approx(timely / due)
        assert got.name == golden.registry.departments[key].name
    assert briefing.unranked == sum(1 for due, _s, _t in rows.values() if 0 < due < 3)
    assert briefing.ranking_from == first


def test_hotspots_alarms_and_data_quality(briefing: Briefing, golden: Golden) -> None:
    cases = golden.incidents
    per_grid = Counter(i.area.grid for i in cases if inside(i.reported_at, DAY))
    top = sorted(per_grid.items(), key=lambda item: (-item[1], item[0]))[:10]
    assert [(h.grid, h.received) for h in briefing.hotspots] == top
    assert briefing.alarms is not None
    assert briefing.alarms.received == ALARM_COUNTERS["alarms:received"]
    assert (
        briefing.alarms.merged == ALARM_COUNTERS["alarms:received"] - ALARM_COUNTERS["alarms:new"]
    )
    assert briefing.alarms.opened == sum(
        inside(i.reported_at, DAY) and i.source_event_id.startswith("alarm:") for i in cases
    )
    assert briefing.alarms.cameras is not None
    assert [(c.id, c.count) for c in briefing.alarms.cameras] == sorted(
        golden.cameras.items(), key=lambda item: -item[1]
    )
    entered = [i for i in cases if inside(i.received_at, DAY)]
    assert briefing.quality.reports == len(entered)
    assert briefing.quality.without_location == sum(i.location is None for i in entered)
    assert briefing.quality.late == sum(
        (i.received_at - i.reported_at) > timedelta(hours=24) for i in entered
    )
    duplicates = 0
    for i in entered:
        duplicates += any(
            o.id != i.id and o.area.grid == i.area.grid and o.category == i.category
            and (o.reported_at, o.id) < (i.reported_at, i.id)
            and i.reported_at - o.reported_at <= timedelta(minutes=30)
            for o in cases
        )  # fmt: skip
    assert briefing.quality.duplicates == duplicates > 0
    assert briefing.quality.unknown_cameras == ALARM_COUNTERS["alarms:unknown"]
    assert briefing.quality.deadletters == 0


def test_the_trend_is_the_days_figures(briefing: Briefing, golden: Golden) -> None:
    assert len(briefing.trend) == 14
    assert briefing.trend[-1].day == DAY
    for point in briefing.trend:
        expected = rates(golden.incidents, point.day)
        assert (point.received, point.closures, point.due) == (
            expected.received,
            expected.closures,
            expected.due,
        )
        assert point.on_time_rate == expected.on_time_rate
