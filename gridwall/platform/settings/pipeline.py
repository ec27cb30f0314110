"""Settings of the event path: the processor, the SLA clock, metrics, reference data,
feed adapters and video alarms."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from gridwall.platform.settings.base import Group


class ProcessorSettings(Group):
    batch_size: int = Field(500, ge=1, le=10_000, description="Inbox entries read per batch.")
    block_ms: int = Field(1000, ge=10, description="How long one read waits for new entries.")
    claim_idle_ms: int = Field(
        30_000, ge=1000, description="Pending entries idle this long are reclaimed."
    )
    changes_maxlen: int = Field(
        200_000, ge=1000, description="Approximate length kept of the changes stream."
    )
    deadletter_maxlen: int = Field(
        100_000, ge=100, description="Approximate length kept of the dead-letter stream."
    )
    inbox_retention_s: int = Field(
        86_400, ge=0, description="Processed inbox entries are kept this long, then trimmed."
    )
    recent_size: int = Field(
        2000, ge=10, description="How many newest incidents the recent index keeps."
    )
    max_lag_s: float = Field(
        30.0, gt=0, description="Health turns 503 when the processor lags more than this."
    )


class SlaSettings(Group):
    policy_file: Path | None = Field(
        None,
        description=(
            "SLA policy file (YAML: limits, thresholds, escalation, calendar); unset means the "
            "shipped default gridwall/engine/sla/policy.yaml."
        ),
    )
    tick_ms: int = Field(
        1000, ge=10, le=60_000, description="How often the SLA clock looks for due signals."
    )
    batch_size: int = Field(
        200, ge=1, le=100_000, description="Most stage plans the clock pops in one script call."
    )
    max_rounds: int = Field(
        50, ge=1, description="Most script calls in one tick (the rest waits for the next)."
    )


class MetricsSettings(Group):
    min_sample: int = Field(
        10,
        ge=1,
        description="Rankings (红黑榜) only include rows with at least this many due cases.",
    )


class RefdataSettings(Group):
    strict_codes: bool = Field(
        default=False,
        description=(
            "Enforce 12-digit division codes and 15-digit grid codes that extend their "
            "parent's code; off accepts any code of 6–24 digits."
        ),
    )
    overlap_tolerance: float = Field(
        0.01,
        ge=0,
        le=1,
        description="Overlap tolerated between two areas of one level, as a share of the smaller.",
    )
    progress_min_items: int = Field(
        500, ge=1, description="Imports of at least this many records show a progress bar."
    )
    log_maxlen: int = Field(
        1000, ge=10, description="Approximate length kept of the reference-data import log."
    )
    demo_grids: int = Field(
        2000, ge=1000, le=3000, description="Number of grids of the generated demo county."
    )


class FeedsSettings(Group):
    """Feed adapters, their sources and the HTTP intake extras (docs/feeds.md)."""

    file: Path | None = Field(
        None,
        description=(
            "Feeds file (TOML or YAML) listing the sources; unset means none (the demo uses "
            "its shipped file with loopback camera sources)."
        ),
    )
    health_flush_s: float = Field(
        1.0, ge=0, le=60, description="Source health counters are written at most this often."
    )
    idle_after_s: float = Field(
        900.0, gt=0, description="A source with no event for this long shows as idle."
    )
    hmac_tolerance_s: int = Field(
        300, ge=10, description="Largest clock difference accepted on a signed request."
    )
    device_body_max_bytes: int = Field(
        4_194_304, ge=4096, description="Largest body accepted from a camera or platform."
    )
    device_part_max_bytes: int = Field(
        2_097_152, ge=1024, description="Largest single part of a camera's multipart body."
    )
    photo_max_bytes: int = Field(
        5_242_880, ge=1024, description="Largest photo uploaded with an event."
    )
    photo_max_count: int = Field(9, ge=0, le=50, description="Most photos with one event.")
    photo_budget_mb: int = Field(
        2048, ge=1, description="Disk kept for uploaded photos; the oldest days go first."
    )
    reconnect_base_s: float = Field(
        1.0, gt=0, description="First reconnect delay of a client adapter (then doubling)."
    )
    reconnect_max_s: float = Field(
        60.0, gt=0, description="Longest reconnect delay of a client adapter."
    )


class AlarmSettings(Group):
    """Video and device alarms: storm control, rules, liveness, what is kept."""

    rules: Path | None = Field(
        None, description="Alarm rules file (YAML or TOML); unset means the shipped rules."
    )
    merge_window_s: float = Field(
        60.0,
        gt=0,
        description="Repeats of one (camera, type) within this window merge into one alarm.",
    )
    offline_after_s: float = Field(
        600.0, gt=0, description="A camera not heard from for this long shows as offline."
    )
    clock_skew_s: float = Field(
        300.0,
        gt=0,
        description="Device and receive times further apart than this: order by receive time.",
    )
    raw_max_bytes: int = Field(
        16_384, ge=256, description="Largest raw payload kept with an alarm (cut beyond)."
    )
    retention_s: int = Field(
        7 * 86_400,
        ge=3600,
        description="Alarms, their raw payloads and de-duplication keys are kept this long.",
    )
    index_size: int = Field(
        50_000, ge=100, description="How many newest alarms the alarm index keeps."
    )
    snapshot_max_bytes: int = Field(
        2_097_152, ge=1024, description="Largest snapshot image kept from an alarm."
    )
    snapshot_max_count: int = Field(3, ge=0, le=10, description="Most snapshots kept per alarm.")
    snapshot_budget_mb: int = Field(
        2048, ge=1, description="Disk kept for alarm snapshots; the oldest days go first."
    )
