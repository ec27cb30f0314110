"""Periods of the KPIs: request bounds, and days, ISO weeks and months in local time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PERIOD_UNITS = ("day", "week", "month")


@dataclass(frozen=True)
class Period:
    """[start, end) as aware datetimes."""

    start: datetime
    end: datetime

    @property
    def bounds(self) -> tuple[float, float]:
        return self.start.timestamp(), self.end.timestamp()


def parse_bound(text: str, tz: ZoneInfo, *, end: bool = False) -> datetime:
    """``2026-11-27`` (the day's start; as an end bound the next day's start) or ISO 8601."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        return datetime.combine(day + timedelta(days=1 if end else 0), time(0), tz)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (2026-11-27) or an ISO 8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def parse_period(
    start: str | None, end: str | None, tz: ZoneInfo, now: datetime, default_days: int = 30
) -> Period:
    """The period of a request; the last ``default_days`` days when a bound is missing."""
    last = parse_bound(end, tz, end=True) if end else now
    first = parse_bound(start, tz) if start else last - timedelta(days=default_days)
    if last <= first:
        raise ValueError("the period ends before it starts")
    return Period(first, last)


def periods(period: Period, unit: str, tz: ZoneInfo) -> list[tuple[str, Period]]:
    """Consecutive sub-periods (day, ISO week, month) covering ``period``, in local time."""
    if unit not in PERIOD_UNITS:
        raise ValueError(f"unit must be one of {', '.join(PERIOD_UNITS)}")
    found = []
    cursor = period.start.astimezone(tz)
    day = cursor.date()
    if unit == "week":
        day -= timedelta(days=day.weekday())
    elif unit == "month":
        day = day.replace(day=1)
    while datetime.combine(day, time(0), tz) < period.end:
        if unit == "day":
            following, label = day + timedelta(days=1), day.isoformat()
        elif unit == "week":
            iso = day.isocalendar()
            following, label = day + timedelta(days=7), f"{iso.year}-W{iso.week:02d}"
        else:
            following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
            label = f"{day.year}-{day.month:02d}"
        lo = max(datetime.combine(day, time(0), tz), period.start)
        hi = min(datetime.combine(following, time(0), tz), period.end)
        found.append((label, Period(lo, hi)))
        day = following
    return found
