"""What a daily briefing holds: figures only, no personal data, kept as JSON with the files.

The HTML page, the HTML file and the PDF are all rendered from one ``Briefing`` (so they say
the same), and so is the narrative. Every figure comes from ``dashboard.metrics`` (see
``dashboard.briefing.content``); names of areas, departments and categories are resolved from
the reference data when the briefing is built.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Count(Model):
    """受理 of one group on the day, the day before and the 7-day daily average before it."""

    key: str | None
    name: str
    day: int
    previous: int
    week_avg: float
    share: float | None = None


class Rates(Model):
    """Case figures of a period (``dashboard.metrics.totals``)."""

    received: int
    closures: int
    due: int
    closed: int
    closed_on_time: int
    close_rate: float | None
    on_time_rate: float | None


class Backlog(Model):
    open: int
    overdue: int
    near_deadline: int


class OverdueCase(Model):
    id: str
    title: str
    category: str
    street: str
    lead: str
    reported: datetime
    overdue_since: datetime
    stage: str


class DepartmentRow(Model):
    rank: int
    key: str
    name: str
    due: int
    closed: int
    closed_on_time: int
    close_rate: float
    on_time_rate: float
    handling_median_s: float | None


class Hotspot(Model):
    rank: int
    grid: str
    name: str
    community: str
    street: str
    received: int
    top_category: str


class CameraCount(Model):
    id: str
    name: str
    street: str
    count: int


class Alarms(Model):
    """A day of video alarms (``dashboard.briefing.alarms``)."""

    received: int
    merged: int
    distinct: int
    opened: int
    unknown: int | None
    cameras: list[CameraCount] | None


class Quality(Model):
    reports: int
    without_location: int
    duplicates: int
    late: int
    unknown_cameras: int | None
    deadletters: int | None


class TrendDay(Model):
    day: date
    received: int
    closures: int
    due: int
    close_rate: float | None
    on_time_rate: float | None


class Briefing(Model):
    version: Literal[1] = 1
    county: str
    county_name: str
    day: date
    as_of: datetime
    generated_at: datetime
    min_sample: int
    ranking_from: date
    late_after_h: float
    duplicate_window_min: float
    total: Count
    sources: list[Count]
    categories: list[Count]
    streets: list[Count]
    closure: Rates
    closure_previous: Rates
    closure_week: Rates
    backlog: Backlog
    overdue: list[OverdueCase]
    departments: list[DepartmentRow]
    unranked: int
    hotspots: list[Hotspot]
    alarms: Alarms | None
    quality: Quality
    trend: list[TrendDay]
    map_svg: str
