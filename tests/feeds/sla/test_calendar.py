"""Working-time arithmetic: hand-computed cases and properties (hypothesis)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridwall.engine.incident import TimeBasis
from gridwall.engine.sla.calendar import WorkCalendar, chinese_official

TZ = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)
DAY = 7 * H  # one working day with the default hours


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


OFFICIAL = WorkCalendar(TZ)


# -- hand-computed cases ---------------------------------------------------------------------
# 2026: Mid-autumn 25–27 Sep, National Day 1–7 Oct, make-up working days Sun 20 Sep, Sat 10 Oct.
CASES = [
    # 5 working days from the afternoon before National Day: Sep 30 15:00–17:30 (2.5 h),
    # Oct 8, 9, 10 (Saturday, a make-up day), 12 (7 h each: 30.5 h), Oct 13 08:30–12:00 (34 h),
    # 14:00–15:00 (35 h).
    ("5 days before National Day", at(2026, 9, 30, 15), 5 * DAY, at(2026, 10, 13, 15)),
    ("2 h over the lunch break", at(2026, 11, 27, 11), 2 * H, at(2026, 11, 27, 15)),
    ("exactly to noon", at(2026, 11, 27, 8, 30), 3.5 * H, at(2026, 11, 27, 12)),
    ("exactly to the end of day", at(2026, 11, 27, 8, 30), DAY, at(2026, 11, 27, 17, 30)),
    ("30 min from Friday 17:15", at(2026, 11, 27, 17, 15), timedelta(minutes=30),
     at(2026, 11, 30, 8, 45)),
    ("started on Saturday night", at(2026, 11, 28, 22), H, at(2026, 11, 30, 9, 30)),
    ("started in the lunch break", at(2026, 11, 27, 12, 30), H, at(2026, 11, 27, 15)),
    ("started before work", at(2026, 11, 27, 6), 30 * timedelta(minutes=1),
     at(2026, 11, 27, 9)),
    ("1 day from Monday 15:00", at(2026, 11, 23, 15), DAY, at(2026, 11, 24, 15)),
    ("15 days over National Day", at(2026, 9, 28, 9), 15 * DAY, at(2026, 10, 23, 9)),
    ("make-up Sunday 20 Sep counts", at(2026, 9, 19, 10), H, at(2026, 9, 20, 9, 30)),
    ("Mid-autumn Friday does not", at(2026, 9, 24, 17), H, at(2026, 9, 28, 9)),
]  # fmt: skip


@pytest.mark.parametrize(("name", "start", "amount", "expected"), CASES, ids=[c[0] for c in CASES])
def test_hand_computed_deadlines(
    name: str, start: datetime, amount: timedelta, expected: datetime
) -> None:
    assert OFFICIAL.add_working(start, amount) == expected
    assert OFFICIAL.working_time(start, expected) == amount


def test_the_official_calendar_knows_make_up_days_and_holidays() -> None:
    assert OFFICIAL.is_working_day(date(2026, 10, 10))  # a Saturday, make-up day
    assert not OFFICIAL.is_working_day(date(2026, 10, 5))  # a Monday in the holiday
    assert not OFFICIAL.is_working_day(date(2026, 11, 28))  # an ordinary Saturday


def test_a_year_without_official_data_counts_weekends_and_warns() -> None:
    assert chinese_official(date(2027, 3, 1)) is None  # the package stops at 2026
    assert OFFICIAL.missing_years([2026, 2027]) == [2027]
    # Fri 31 Dec 2027 16:00 + 5 working days: no crash, weekends off, nothing else known.
    start = at(2027, 12, 31, 16)
    assert OFFICIAL.add_working(start, 5 * DAY) == at(2028, 1, 7, 16)
    # 5 working days from late December 2026 reach into 2027: weekends only, no holidays.
    assert OFFICIAL.add_working(at(2026, 12, 28, 10), 5 * DAY) == at(2027, 1, 4, 10)


def test_local_overrides_add_next_years_holidays() -> None:
    cal = WorkCalendar(
        TZ,
        holidays=[date(2027, 1, 1)],
        workdays=[date(2027, 1, 2)],  # an invented make-up Saturday
        listed_years=[2027],
    )
    assert cal.missing_years([2027]) == []
    # Thu 31 Dec 2026 10:00 + 2 days: Dec 31 (7 h from 10:00 → 17:30 is 5.5 h), Jan 1 off,
    # Sat Jan 2 works: 1.5 h more → 10:00; then 7 h → Mon Jan 4 10:00.
    assert cal.add_working(at(2026, 12, 31, 10), 2 * DAY) == at(2027, 1, 4, 10)


def test_calendar_time_counts_every_hour() -> None:
    start = at(2026, 9, 30, 15)
    assert OFFICIAL.add(start, 2 * H, TimeBasis.CALENDAR) == at(2026, 9, 30, 17)
    assert OFFICIAL.elapsed(start, at(2026, 10, 1, 15), TimeBasis.CALENDAR) == 24 * H
    assert OFFICIAL.day(TimeBasis.CALENDAR) == timedelta(days=1)
    assert OFFICIAL.day(TimeBasis.WORKING) == DAY


@pytest.mark.parametrize(
    "periods",
    [[], [(time(9), time(8))], [(time(8), time(12)), (time(11), time(13))]],
)
def test_bad_working_hours_are_refused(periods: list[tuple[time, time]]) -> None:
    with pytest.raises(ValueError):
        WorkCalendar(TZ, periods)


# -- properties --------------------------------------------------------------------------------
# A calendar with generated holidays and make-up days over 2027–2028 (no official data there,
# so only the generated overrides and the weekend decide), and the official one over 2025–2026.
DAYS = st.dates(min_value=date(2027, 1, 1), max_value=date(2028, 12, 31))


@st.composite
def calendars(draw: st.DrawFn) -> WorkCalendar:
    holidays = draw(st.sets(DAYS, max_size=40))
    workdays = draw(st.sets(DAYS, max_size=10)) - holidays
    return WorkCalendar(TZ, holidays=holidays, workdays=workdays)


def _instants(lo: date, hi: date) -> st.SearchStrategy[datetime]:
    # Quarter-hour and odd-second instants: many land exactly on period boundaries.
    return st.builds(
        lambda d, minutes, seconds: (
            datetime.combine(d, time(0), TZ) + timedelta(minutes=minutes, seconds=seconds)
        ),
        st.dates(min_value=lo, max_value=hi),
        st.integers(0, 24 * 60 - 1).map(lambda m: m - m % 15),
        st.sampled_from([0, 0, 0, 1, 59]),
    )


INSTANTS = _instants(date(2027, 1, 1), date(2028, 6, 30))
OFFICIAL_INSTANTS = _instants(date(2025, 1, 1), date(2026, 10, 31))
AMOUNTS = st.integers(0, 20 * 7 * 3600).map(lambda s: timedelta(seconds=s))


@settings(max_examples=150, deadline=None)
@given(cal=calendars(), start=INSTANTS, a=AMOUNTS, b=AMOUNTS)
def test_adding_is_additive(cal: WorkCalendar, start: datetime, a: timedelta, b: timedelta) -> None:
    assert cal.add_working(cal.add_working(start, a), b) == cal.add_working(start, a + b)


@settings(max_examples=150, deadline=None)
@given(start=OFFICIAL_INSTANTS, a=AMOUNTS, b=AMOUNTS)
def test_adding_is_additive_over_official_holidays(
    start: datetime, a: timedelta, b: timedelta
) -> None:
    assert OFFICIAL.add_working(OFFICIAL.add_working(start, a), b) == OFFICIAL.add_working(
        start, a + b
    )


@settings(max_examples=150, deadline=None)
@given(cal=calendars(), start=INSTANTS, a=AMOUNTS)
def test_adding_then_measuring_gives_the_amount_back(
    cal: WorkCalendar, start: datetime, a: timedelta
) -> None:
    end = cal.add_working(start, a)
    assert end >= start
    assert cal.working_time(start, end) == a
    if a > timedelta(0):  # the deadline is the earliest such instant: it lies in working time
        assert cal.is_working_day(end.date())
        assert any(s < end.time() <= e for s, e in cal.periods)


@settings(max_examples=150, deadline=None)
@given(cal=calendars(), start=INSTANTS, a=AMOUNTS, b=AMOUNTS)
def test_adding_is_monotonic(
    cal: WorkCalendar, start: datetime, a: timedelta, b: timedelta
) -> None:
    small, large = sorted([a, b])
    assert cal.add_working(start, small) <= cal.add_working(start, large)


@settings(max_examples=150, deadline=None)
@given(cal=calendars(), x=INSTANTS, y=INSTANTS, z=INSTANTS)
def test_measuring_is_additive_and_monotonic(
    cal: WorkCalendar, x: datetime, y: datetime, z: datetime
) -> None:
    a, b, c = sorted([x, y, z])
    assert cal.working_time(a, c) == cal.working_time(a, b) + cal.working_time(b, c)
    assert cal.working_time(a, b) <= cal.working_time(a, c)
    assert cal.working_time(c, a) == timedelta(0)


@settings(max_examples=100, deadline=None)
@given(cal=calendars(), d=DAYS)
def test_a_day_holds_its_working_hours_or_none(cal: WorkCalendar, d: date) -> None:
    start = datetime.combine(d, time(0), TZ)
    worked = cal.working_time(start, start + timedelta(days=1))
    expected = DAY if cal.is_working_day(d) else timedelta(0)
    assert worked == expected
    if d in cal.workdays:
        assert worked == DAY  # a make-up day works even on a weekend
    if d in cal.holidays:
        assert worked == timedelta(0)
    lunch = datetime.combine(d, time(12), TZ)
    assert cal.working_time(lunch, lunch + 2 * H) == timedelta(0)  # the lunch break


@settings(max_examples=100, deadline=None)
@given(cal=calendars(), start=INSTANTS, a=AMOUNTS)
def test_a_clock_started_off_hours_runs_like_one_started_at_the_next_opening(
    cal: WorkCalendar, start: datetime, a: timedelta
) -> None:
    opening = cal.add_working(start, timedelta(microseconds=1)) - timedelta(microseconds=1)
    assert cal.working_time(start, opening) == timedelta(0)
    assert cal.add_working(start, a) == cal.add_working(opening, a) or a == timedelta(0)


POSITIVE = st.integers(1, 5 * 7 * 3600).map(lambda s: timedelta(seconds=s))


@settings(max_examples=150, deadline=None)
@given(cal=calendars(), start=INSTANTS, amounts=st.lists(POSITIVE, max_size=5))
def test_adding_in_one_walk_is_adding_one_after_the_other(
    cal: WorkCalendar, start: datetime, amounts: list[timedelta]
) -> None:
    expected, cursor = [], start
    for amount in amounts:
        cursor = cal.add_working(cursor, amount)
        expected.append(cursor)
    assert cal.add_each(start, amounts, TimeBasis.WORKING) == expected
    on_calendar = [start + sum(amounts[: i + 1], timedelta(0)) for i in range(len(amounts))]
    assert cal.add_each(start, amounts, TimeBasis.CALENDAR) == on_calendar
