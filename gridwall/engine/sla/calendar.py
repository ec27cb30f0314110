"""The working calendar (工作日历): working hours, weekends, public holidays, make-up days.

Pure arithmetic, no I/O. Working time counts only the working periods (default 08:30–12:00 and
14:00–17:30) of working days. A day is a working day when, in this order:

1. the policy file lists it under ``workdays`` (a make-up working day, 调休上班) → working;
2. the policy file lists it under ``holidays`` → off;
3. the official calendar (the ``chinese-calendar`` package) has data for its year → its answer;
4. otherwise (a year without official data, e.g. next year before the State Council publishes
   it) → Monday to Friday work, the configured weekend is off. Such years are reported by
   ``missing_years()`` so that the clock and the health endpoint can warn; they never crash.

Deadlines are the earliest instant at which the working time since the start reaches the limit,
so a limit that ends exactly at 12:00 is due at 12:00, not at 14:00; and whole working days
starting inside working hours end at the same time of day (5 working days from Monday 15:00 are
due the next Monday at 15:00 when no holiday intervenes). All arithmetic is on ``timedelta``
(exact microseconds): ``add(add(t, a), b) == add(t, a + b)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from gridwall.engine.incident import TimeBasis

#: Longest span the arithmetic walks (a calendar with no working day at all must not hang).
MAX_DAYS = 3660
ZERO = timedelta(0)
ONE_DAY = timedelta(days=1)

OfficialSource = Callable[[date], bool | None]


def chinese_official(day: date) -> bool | None:
    """Whether ``day`` is a working day by the official arrangement; None without data."""
    import chinese_calendar  # noqa: PLC0415 - optional at import time, cheap after

    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


class WorkCalendar:
    """Working days and hours of one zone; immutable after construction (caches aside)."""

    def __init__(
        self,
        tz: ZoneInfo,
        periods: Iterable[tuple[time, time]] = ((time(8, 30), time(12)), (time(14), time(17, 30))),
        *,
        weekend: Iterable[int] = (6, 7),
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
        listed_years: Iterable[int] = (),
        official: OfficialSource | None = chinese_official,
    ) -> None:
        self.tz = tz
        self.periods = tuple(sorted(periods))
        if not self.periods:
            raise ValueError("a working calendar needs at least one working period")
        previous_end = time(0)
        for start, end in self.periods:
            if not start < end:
                raise ValueError(f"working period {start}–{end} ends before it starts")
            if start < previous_end:
                raise ValueError(f"working period {start}–{end} overlaps the one before")
            previous_end = end
        self.weekend = frozenset(weekend)
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)
        if self.holidays & self.workdays:
            clash = min(self.holidays & self.workdays)
            raise ValueError(f"{clash} is listed both as a holiday and as a working day")
        self.listed_years = frozenset(listed_years)
        self.official = official
        self.day_length = sum(
            (
                datetime.combine(date.min, e) - datetime.combine(date.min, s)
                for s, e in self.periods
            ),
            ZERO,
        )
        self._days: dict[date, bool] = {}
        self._years: dict[int, bool] = {}
        self._hours: dict[date, tuple[tuple[datetime, datetime], ...]] = {}
        self._walks: dict[tuple[datetime, tuple[timedelta, ...]], tuple[datetime, ...]] = {}

    # -- days ----------------------------------------------------------------------------
    def has_official_data(self, year: int) -> bool:
        known = self._years.get(year)
        if known is None:
            known = self.official is not None and self.official(date(year, 6, 1)) is not None
            self._years[year] = known
        return known

    def missing_years(self, years: Iterable[int]) -> list[int]:
        """Years (of ``years``) counted on weekends and local overrides only: warn about them."""
        return sorted(
            y for y in set(years) if y not in self.listed_years and not self.has_official_data(y)
        )

    def is_working_day(self, day: date) -> bool:
        known = self._days.get(day)
        if known is not None:
            return known
        if day in self.workdays:
            known = True
        elif day in self.holidays:
            known = False
        else:
            official = self.official(day) if self.official is not None else None
            known = official if official is not None else day.isoweekday() not in self.weekend
        self._days[day] = known
        return known

    def _working_periods(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The working periods of ``day`` as zoned instants (none on a day off), memoised."""
        found = self._hours.get(day)
        if found is None:
            if len(self._hours) > 20_000:
                self._hours.clear()
            found = ()
            if self.is_working_day(day):
                found = tuple(
                    (datetime.combine(day, s, self.tz), datetime.combine(day, e, self.tz))
                    for s, e in self.periods
                )
            self._hours[day] = found
        return found

    # -- working time --------------------------------------------------------------------
    def working_time(self, start: datetime, end: datetime) -> timedelta:
        """Working time in [start, end) (zero when end is not after start)."""
        if end <= start:
            return ZERO
        start, end = start.astimezone(self.tz), end.astimezone(self.tz)
        first, last = start.date(), end.date()
        if (last - first).days > MAX_DAYS:
            raise ValueError(f"span longer than {MAX_DAYS} days")
        total = ZERO
        day = first
        while day <= last:
            periods = self._working_periods(day)
            if periods:
                if first < day < last:
                    total += self.day_length
                else:
                    for lo, hi in periods:
                        overlap = min(end, hi) - max(start, lo)
                        if overlap > ZERO:
                            total += overlap
            day += ONE_DAY
        return total

    def add_working(self, start: datetime, amount: timedelta) -> datetime:
        """The earliest instant whose working time since ``start`` is ``amount``."""
        if amount <= ZERO:
            return start
        return self.add_working_each(start, [amount])[0]

    def add_working_each(self, start: datetime, amounts: Iterable[timedelta]) -> list[datetime]:
        """``add_working`` one amount after the other, each from the instant before, in one
        walk: ``[add_working(start, a1), add_working(that, a2), ...]`` (amounts above zero).

        Memoised per start instant and amounts (the stages a dispatch starts for the lead and
        its co-handlers have the same limits from the same instant)."""
        key = (start, tuple(amounts))
        known = self._walks.get(key)
        if known is None:
            if len(self._walks) > 4096:
                self._walks.clear()
            known = self._walks[key] = tuple(self._walk(start, key[1]))
        return list(known)

    def _walk(self, start: datetime, amounts: Iterable[timedelta]) -> list[datetime]:
        steps = iter(amounts)
        remaining = next(steps, None)
        found: list[datetime] = []
        if remaining is None:
            return found
        first = start.astimezone(self.tz)
        cursor: datetime | None = first  # None: from the day's start on
        day = first.date()
        for _ in range(MAX_DAYS):
            periods = self._working_periods(day)
            if periods and (cursor is None or cursor <= periods[0][0]):
                if remaining > self.day_length:
                    remaining -= self.day_length
                    periods = ()
                cursor = None
            for lo, hi in periods:
                begin = lo if cursor is None or cursor < lo else cursor
                while begin < hi and remaining <= hi - begin:
                    begin += remaining
                    found.append(begin)
                    remaining = next(steps, None)
                    if remaining is None:
                        return found
                cursor = begin
                if begin < hi:
                    remaining -= hi - begin
            day += ONE_DAY
            cursor = None
        raise ValueError(f"no end within {MAX_DAYS} days: does the calendar have working days?")

    # -- either basis ----------------------------------------------------------------------
    def elapsed(self, start: datetime, end: datetime, basis: TimeBasis) -> timedelta:
        """Clock time in [start, end) counted on ``basis``."""
        if basis is TimeBasis.CALENDAR:
            return max(ZERO, end - start)
        return self.working_time(start, end)

    def add(self, start: datetime, amount: timedelta, basis: TimeBasis) -> datetime:
        """``start`` plus ``amount`` of clock time counted on ``basis``."""
        if basis is TimeBasis.CALENDAR:
            return start + max(ZERO, amount)
        return self.add_working(start, amount)

    def add_each(
        self, start: datetime, amounts: Sequence[timedelta], basis: TimeBasis
    ) -> list[datetime]:
        """``add`` one amount after the other, each from the instant the one before reached."""
        if basis is TimeBasis.CALENDAR:
            found = []
            for amount in amounts:
                start = start + max(ZERO, amount)
                found.append(start)
            return found
        return self.add_working_each(start, amounts)

    def day(self, basis: TimeBasis) -> timedelta:
        """What "1 day" of a limit means: one working day's hours, or 24 hours."""
        return self.day_length if basis is TimeBasis.WORKING else ONE_DAY
