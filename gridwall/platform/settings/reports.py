"""Settings of the daily history and the leaders' briefing."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from gridwall.platform.settings.base import Group

CLOCK_TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
BRIEFING_FORMATS: tuple[Literal["html", "pdf"], ...] = ("html", "pdf")


class HistorySettings(Group):
    dir: Path | None = Field(
        None,
        description="Folder of the Parquet history (closed cases and nightly snapshots of open "
        "ones, per day); unset means <data_dir>/history. Shared storage when workers and "
        "servers run on several hosts.",
    )
    retention_days: int = Field(
        730, ge=30, description="Days of history kept; older day folders are deleted."
    )
    live_days: int = Field(
        35,
        ge=1,
        description="Closed cases stay in Redis this long after closing (and after their last "
        "change and deadline); then the archive removes them from Redis.",
    )
    archive_time: str = Field(
        "00:30",
        pattern=CLOCK_TIME,
        description="Local time (HH:MM) at which the worker archives the day that ended.",
    )


class BriefingSettings(Group):
    dir: Path | None = Field(
        None, description="Folder of the generated briefings; unset means <data_dir>/briefings."
    )
    time: str = Field(
        "07:30",
        pattern=CLOCK_TIME,
        description="Local time (HH:MM) at which the worker generates yesterday's briefing.",
    )
    formats: list[Literal["html", "pdf"]] = Field(
        default_factory=lambda: list(BRIEFING_FORMATS),
        min_length=1,
        description="Formats the worker generates every morning.",
    )
    keep_days: int = Field(400, ge=1, description="Generated briefings are kept this long.")
    language: Literal["zh-CN", "en"] = Field("zh-CN", description="Language of the briefings.")
    trend_days: int = Field(14, ge=7, le=60, description="Days shown in the trend chart.")
    ranking_days: int = Field(
        7,
        ge=1,
        le=31,
        description="Days (ending on the briefing's day) over which departments are ranked.",
    )
    lookback_days: int = Field(
        45,
        ge=14,
        description="Days of closed cases read before the briefing's day (cases due on a day "
        "may have closed long before).",
    )
    overdue_cases: int = Field(10, ge=1, le=50, description="Worst overdue cases listed.")
    hotspots: int = Field(10, ge=1, le=30, description="Hotspot grids listed and marked.")
    noisy_cameras: int = Field(10, ge=1, le=30, description="Noisiest cameras listed.")
    late_after_h: float = Field(
        24.0, gt=0, description="A report received this many hours after it happened is late."
    )
    duplicate_window_min: float = Field(
        30.0,
        gt=0,
        description="A report of the same category in the same grid within this many minutes "
        "of another is a suspected duplicate.",
    )
    chromium: Path | None = Field(
        None,
        description="Chromium that prints the PDF; unset means the first chromium on PATH.",
    )
