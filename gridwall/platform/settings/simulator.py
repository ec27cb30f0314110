"""Settings of the simulated county (the demo)."""

from __future__ import annotations

from pydantic import Field

from gridwall.platform.settings.base import Group


class SimulatorSettings(Group):
    seed: int = Field(20261127, description="Seed of the simulated county and its events.")
    rate: float = Field(
        30.0, ge=0, description="Average simulated reports per minute (0 stops reporting)."
    )
    pace: float = Field(
        60.0,
        gt=0,
        description="Live simulated cases run this many times faster than real handling.",
    )
    backfill: int = Field(
        120, ge=0, description="Cases of the past days the simulator adds when it starts."
    )
    backfill_days: float = Field(
        12.0, gt=0, description="How many past days the backfilled cases spread over."
    )
    camera_alarms: float = Field(
        2.0, ge=0, description="Simulated camera alarms per minute (0: cameras stay quiet)."
    )
    cameras_offline: float = Field(
        0.08, ge=0, le=1, description="Share of the simulated cameras that never report."
    )
    history_days: int = Field(
        30,
        ge=0,
        le=120,
        description="Days of simulated history the demo writes on its first start (0: none).",
    )
    history_per_day: int = Field(
        400, ge=10, le=20_000, description="Simulated cases per day of that history."
    )
