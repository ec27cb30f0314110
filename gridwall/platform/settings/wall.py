"""Settings of the wall display and its backlog gauges."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from gridwall.platform.settings.base import Group

Pair = tuple[int, int]


class BacklogThresholds(Group):
    """Backlog gauges: (warning, alarm) levels; a gauge turns orange at the first and
    vermillion at the second."""

    county_open: Pair = Field((300, 600), description="Open incidents of the county.")
    county_near: Pair = Field((30, 80), description="临期 (near deadline) of the county.")
    county_overdue: Pair = Field((10, 40), description="超期 (overdue) of the county.")
    street_open: Pair = Field((40, 80), description="Open incidents of one street or town.")
    street_near: Pair = Field((5, 15), description="临期 of one street or town.")
    street_overdue: Pair = Field((2, 8), description="超期 of one street or town.")

    @model_validator(mode="after")
    def _ordered(self) -> BacklogThresholds:
        for name in type(self).model_fields:
            warn, alarm = getattr(self, name)
            if not 0 <= warn <= alarm:
                raise ValueError(f"{name}: need 0 <= warning <= alarm, got ({warn}, {alarm})")
        return self


class WallSettings(Group):
    default_layout: str = Field("desk", description="Layout shown at / and /wall.")
    layouts_dir: Path | None = Field(
        None, description="Folder of wall layout files; unset means the shipped layouts/."
    )
    language: Literal["zh-CN", "en"] = Field("zh-CN", description="Default UI language.")
    tile_url: str | None = Field(
        None,
        description=(
            "Optional map tile URL template (an intranet tile server, or Tianditu with a key); "
            "empty means vector layers only, no network."
        ),
    )
    tile_attribution: str = Field("", description="Attribution shown with the tile layer.")
    coalesce_ms: int = Field(
        250, ge=0, le=5000, description="Shortest interval between two pushes to one panel."
    )
    heartbeat_s: float = Field(
        2.0, gt=0, description="Server heartbeat to each wall (drives the freshness header)."
    )
    disconnected_after_s: float = Field(
        6.0, gt=0, description="The wall shows its disconnect banner after this much silence."
    )
    reload_after_s: float = Field(
        90.0, gt=0, description="Last resort: a wall silent this long reloads itself."
    )
    resync_s: float = Field(60.0, gt=0, description="Periodic full resync of each wall.")
    recent_incidents: int = Field(12, ge=1, le=100, description="Rows in the newest list.")
    reindex_s: float = Field(
        900.0,
        gt=0,
        description="Each wall server re-reads every open incident this often (it follows the "
        "changes stream in between).",
    )
    map_markers: int = Field(
        2000,
        ge=0,
        le=100_000,
        description="Most incident markers on the map: overdue first, then near deadline, "
        "urgent, newest.",
    )
    map_reset_s: float = Field(
        180.0,
        ge=0,
        description="A map drilled down by a click returns to the county after this much "
        "idle time (0: stays).",
    )
    alarm_window_s: float = Field(
        3600.0, gt=0, description="Video alarms stay on the alarm strip and the map this long."
    )
    flash_s: float = Field(60.0, ge=0, description="New video alarms flash on the map this long.")
    alarm_rows: int = Field(
        40, ge=1, le=200, description="Most items the alarm strip keeps (newest first)."
    )
    chime: bool = Field(
        default=True, description="Walls chime for new top-priority alarms (WebAudio)."
    )
    chime_priority: int = Field(
        1, ge=1, le=4, description="Chime for new alarms of this priority or more urgent (1-4)."
    )
    chime_volume: float = Field(0.6, ge=0, le=1, description="Loudness of the chime (0-1).")
    quiet_hours: str | None = Field(
        None,
        pattern=r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$",
        description="No chime in these local hours, e.g. '22:00-07:00' (unset: always).",
    )
    ack_retention_s: int = Field(
        604800, gt=0, description="Acknowledgements of alarms are kept this long in Redis."
    )
    metrics_s: float = Field(
        60.0, gt=0, description="How often each wall server recomputes the department metrics."
    )
    metrics_days: int = Field(
        7, ge=1, le=90, description="Period of the wall's department metrics and ranking (days)."
    )
    health_s: float = Field(
        10.0, gt=0, description="How often the feed health and camera liveness are re-read."
    )
    ticker_size: int = Field(20, ge=1, le=200, description="Newest events kept for the ticker.")
    backlog: BacklogThresholds = Field(default_factory=BacklogThresholds)
