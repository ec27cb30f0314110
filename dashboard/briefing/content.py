"""Building a briefing for one day from the history: every figure by ``dashboard.metrics``.

For the day D (local time) and the history frames as of the snapshot that closes it:

* 受理 (intake): ``metrics.received`` in total, by source, by category class and by street,
  for D, for D−1 and as the daily average of the 7 days before D;
* 办结 (``closures``), 应结案 (``due``), 结案率 and 按期结案率: ``metrics.totals`` for D,
  D−1 and those 7 days;
* backlog, 超期 and 临期 as of the snapshot (``metrics.totals``' now figures) and the worst
  overdue cases (``metrics.worst_overdue``);
* the department ranking (红黑榜): ``metrics.department_table`` over the
  ``briefing.ranking_days`` ending on D, lead departments with at least ``metrics.min_sample``
  due cases;
* hotspot grids: ``metrics.received`` per grid on D, drawn on the county's map;
* video alarms: ``dashboard.briefing.alarms.alarm_day``;
* data quality: ``metrics.quality`` plus the day's unknown-camera alarms and dead letters;
* the trend: ``metrics.period_table`` per day (``dashboard.history.daily_trend``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from dashboard import metrics
from dashboard.briefing.alarms import OPENED_PREFIX, alarm_day
from dashboard.briefing.model import (
    Backlog,
    Briefing,
    Count,
    DepartmentRow,
    Hotspot,
    OverdueCase,
    Quality,
    Rates,
    TrendDay,
)
from dashboard.briefing.svgmap import county_map
from dashboard.history import Frames, daily_trend, day_period
from gridwall.contract import daystats
from gridwall.platform.settings import Settings
from gridwall.refdata.registry import Registry

CATEGORY_CLASS = "category_class"
MAX_CATEGORY_ROWS = 12
OTHER = "其他"


@dataclass(frozen=True)
class Inputs:
    day: date
    frames: Frames
    registry: Registry
    counters: Mapping[str, int] | None
    settings: Settings
    now: datetime

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)


def _area_name(registry: Registry, code: str | None) -> str:
    area = registry.area(code) if code else None
    return area.name if area else (code or "")


def _category_name(registry: Registry, code: str | None) -> str:
    category = registry.category(code) if code else None
    return category.name if category else (code or "")


def _department_name(registry: Registry, code: str | None) -> str:
    department = registry.department(code) if code else None
    return department.name if department else (code or "")


def category_classes(registry: Registry) -> dict[str, str]:
    """Category code → its top-level class (大类)."""
    found = {}
    for code in registry.categories:
        top, seen = code, {code}
        while (parent := registry.categories[top].parent) and parent in registry.categories:
            if parent in seen:
                break
            top = parent
            seen.add(top)
        found[code] = top
    return found


def _with_classes(cases: pd.DataFrame, registry: Registry) -> pd.DataFrame:
    classes = category_classes(registry)
    mapped = cases["category"].map(classes)
    return cases.assign(**{CATEGORY_CLASS: mapped.fillna(cases["category"]).astype(str)})


def _counts(cases: pd.DataFrame, column: str | None, periods: tuple[Any, Any, Any]) -> pd.DataFrame:
    by = [column] if column else []
    day, previous, week = (metrics.received(cases, by, p) for p in periods)
    table = pd.concat([day, previous, week], axis=1, keys=["day", "previous", "week"]).fillna(0)
    table["week_avg"] = table["week"] / 7
    return table.sort_values(["day", "week", "previous"], ascending=False, kind="stable")


def _count_rows(table: pd.DataFrame, names: Mapping[str, str], total: int) -> list[Count]:
    return [
        Count(
            key=str(key) or None,
            name=names.get(str(key), str(key)) or OTHER,
            day=int(row["day"]),
            previous=int(row["previous"]),
            week_avg=round(float(row["week_avg"]), 1),
            share=int(row["day"]) / total if total else None,
        )
        for key, row in table.iterrows()
    ]


def _fields(model: type[Any], row: Mapping[str, Any], **given: Any) -> dict[str, Any]:
    """The model's fields from a metrics row, but those ``given``."""
    return {name: given[name] if name in given else row[name] for name in model.model_fields}


def _rates(row: Mapping[str, Any]) -> Rates:
    return Rates(**_fields(Rates, row))


def _timestamp(value: float, tz: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(value, tz)


def build(inputs: Inputs) -> Briefing:
    """The briefing of ``inputs.day``."""
    settings, registry, tz, day = inputs.settings, inputs.registry, inputs.tz, inputs.day
    conf = settings.briefing
    frames = inputs.frames
    cases = _with_classes(frames.cases, registry)
    periods = (
        day_period(day, tz),
        day_period(day - timedelta(1), tz),
        day_period(day - timedelta(7), tz, 7),
    )
    total_table = _counts(cases, None, periods)
    total = _count_rows(total_table, {"": "合计"}, int(total_table["day"].sum()))[0]
    share_of = total.day
    by_class = _counts(cases, CATEGORY_CLASS, periods)
    if len(by_class) > MAX_CATEGORY_ROWS:
        rest = by_class.iloc[MAX_CATEGORY_ROWS - 1 :].sum().to_frame("").T
        by_class = pd.concat([by_class.iloc[: MAX_CATEGORY_ROWS - 1], rest])
    streets = _counts(cases, "street", periods)
    closure = metrics.totals(cases, frames.events, periods[0])
    min_sample = settings.metrics.min_sample
    ranking_from = day - timedelta(days=conf.ranking_days - 1)
    leads = _lead_rows(frames, day_period(ranking_from, tz, conf.ranking_days), min_sample)
    return Briefing(
        county=settings.county,
        county_name=settings.county_name,
        day=day,
        as_of=frames.as_of.astimezone(tz),
        generated_at=inputs.now.astimezone(tz),
        min_sample=min_sample,
        ranking_from=ranking_from,
        late_after_h=conf.late_after_h,
        duplicate_window_min=conf.duplicate_window_min,
        total=total,
        sources=_count_rows(_counts(cases, "source", periods), {}, share_of),
        categories=_count_rows(by_class, _names(registry, by_class, _category_name), share_of),
        streets=_count_rows(streets, _names(registry, streets, _area_name), share_of),
        closure=_rates(closure),
        closure_previous=_rates(metrics.totals(cases, frames.events, periods[1])),
        closure_week=_rates(metrics.totals(cases, frames.events, periods[2])),
        backlog=Backlog(
            open=closure["open"], overdue=closure["overdue"], near_deadline=closure["near_deadline"]
        ),
        overdue=_overdue(cases, registry, conf.overdue_cases, tz),
        departments=_departments(leads, registry),
        unranked=sum(1 for r in leads if r["due"] and not r["ranked"]),
        hotspots=(hotspots := _hotspots(cases, registry, periods[0], conf.hotspots)),
        alarms=_alarms(inputs, cases, periods[0]),
        quality=_quality(inputs, cases, periods[0]),
        trend=_trend(inputs, day - timedelta(days=conf.trend_days - 1)),
        map_svg=county_map(registry, _grid_counts(cases, periods[0]), [h.grid for h in hotspots]),
    )


def _names(registry: Registry, table: pd.DataFrame, name: Any) -> dict[str, str]:
    return {str(key): name(registry, str(key)) for key in table.index if key}


def _overdue(
    cases: pd.DataFrame, registry: Registry, count: int, tz: ZoneInfo
) -> list[OverdueCase]:
    return [
        OverdueCase(
            id=row["id"],
            title=row["title"],
            category=_category_name(registry, row["category"]),
            street=_area_name(registry, row["street"]),
            lead=_department_name(registry, row["lead"]),
            reported=_timestamp(row["reported"], tz),
            overdue_since=_timestamp(row["overdue_since"], tz),
            stage=row["overdue_stage"],
        )
        for row in metrics.worst_overdue(cases, count)
    ]


def _lead_rows(frames: Frames, period: metrics.Period, min_sample: int) -> list[dict[str, Any]]:
    rows = metrics.department_table(frames.handling, frames.events, period, min_sample)
    return [r for r in rows if r["role"] == "lead"]


def _departments(leads: list[dict[str, Any]], registry: Registry) -> list[DepartmentRow]:
    ranked = sorted((r for r in leads if r["ranked"]), key=lambda r: r["rank"])
    return [
        DepartmentRow(**_fields(DepartmentRow, r, name=_department_name(registry, r["key"])))
        for r in ranked
    ]


def _grid_counts(cases: pd.DataFrame, period: metrics.Period) -> dict[str, int]:
    counts = metrics.received(cases, ["grid"], period)
    return {str(k): int(v) for k, v in counts.items() if k}


def _hotspots(
    cases: pd.DataFrame, registry: Registry, period: metrics.Period, count: int
) -> list[Hotspot]:
    per_grid = metrics.received(cases[cases["grid"] != ""], ["grid"], period)
    ranked = sorted(per_grid.items(), key=lambda item: (-item[1], item[0]))[:count]
    mix = metrics.received(cases, ["grid", CATEGORY_CLASS], period)
    found = []
    for rank, (grid, received) in enumerate(ranked, start=1):
        path = registry.path(str(grid))
        mine = mix.loc[str(grid)].sort_values(ascending=False, kind="stable")
        top = mine.index[0] if len(mine) else ""
        found.append(
            Hotspot(
                rank=rank,
                grid=str(grid),
                name=_area_name(registry, str(grid)),
                community=_area_name(registry, path.community),
                street=_area_name(registry, path.street),
                received=int(received),
                top_category=_category_name(registry, str(top)),
            )
        )
    return found


def _alarms(inputs: Inputs, cases: pd.DataFrame, period: metrics.Period) -> Any:
    from_alarms = cases[cases["source_event_id"].str.startswith(OPENED_PREFIX)]
    opened = int(metrics.received(from_alarms, [], period).iloc[0])
    return alarm_day(
        inputs.counters, opened, inputs.registry, inputs.settings.briefing.noisy_cameras
    )


def _quality(inputs: Inputs, cases: pd.DataFrame, period: metrics.Period) -> Quality:
    conf = inputs.settings.briefing
    found = metrics.quality(cases, period, conf.late_after_h * 3600, conf.duplicate_window_min * 60)
    counters = inputs.counters or {}
    unknown = counters.get(daystats.ALARMS_UNKNOWN)
    dead = counters.get(daystats.DEADLETTERS)
    return Quality(
        **found,
        unknown_cameras=None if unknown is None else int(unknown),
        deadletters=None if dead is None else int(dead),
    )


def _trend(inputs: Inputs, first: date) -> list[TrendDay]:
    rows = daily_trend(
        inputs.frames, first, inputs.day, inputs.tz, inputs.settings.metrics.min_sample
    )
    return [TrendDay(**_fields(TrendDay, r, day=date.fromisoformat(r["key"]))) for r in rows]
