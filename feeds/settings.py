"""The one settings module of gridwall.

Sources, highest priority first:

1. explicit overrides (command-line flags),
2. environment variables ``GRIDWALL_*`` (nested groups with ``__``: ``GRIDWALL_HTTP__PORT``)
   and ``REDIS_URL``,
3. a TOML file given by ``--config`` or ``GRIDWALL_CONFIG``,
4. the defaults below (the domain defaults come from DOMAIN.md).

Unknown keys are an error that names the key, whether they come from the TOML file or from a
``GRIDWALL_*`` environment variable: a typo must never be silently ignored.
Every setting is documented in ``docs/configuration.md`` (a test keeps the two in step).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Literal

import platformdirs
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

ENV_PREFIX = "GRIDWALL_"
CONFIG_ENV = "GRIDWALL_CONFIG"
COUNTY_CODE = re.compile(r"^\d{6}$")


class SettingsError(ValueError):
    """A setting is unknown or invalid; the message names it."""


class Group(BaseModel):
    """A group of settings: unknown keys are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class HttpSettings(Group):
    host: str = Field("127.0.0.1", description="Address the HTTP server listens on.")
    port: int = Field(8050, ge=1, le=65535, description="Port of the HTTP server.")
    max_body_bytes: int = Field(
        1_048_576, ge=1024, description="Largest request body accepted by JSON endpoints."
    )
    max_batch_events: int = Field(
        1000, ge=1, description="Most events in one POST /api/v1/events array."
    )
    production: bool = Field(
        default=False, description="Production mode: no debug pages, secure cookies."
    )
    max_request_bytes: int = Field(
        8_388_608,
        ge=1024,
        description="Largest request body of any request (the outer limit; JSON endpoints "
        "keep max_body_bytes).",
    )
    frame_ancestors: str = Field(
        "'none'",
        description="CSP frame-ancestors: who may embed gridwall's pages in a frame.",
    )


class AuthSettings(Group):
    secret_key: SecretStr | None = Field(
        None,
        description="Key that signs session cookies (from the environment); every server of "
        "an install needs the same one. Unset: secret_key_file.",
    )
    secret_key_file: Path | None = Field(
        None,
        description="File holding the session-signing key; unset means <data_dir>/secret.key, "
        "created (mode 600) when missing.",
    )
    session_idle_s: int = Field(
        1800, ge=60, description="A person's session ends after this much inactivity."
    )
    session_absolute_s: int = Field(
        43_200, ge=300, description="A person's session ends this long after sign-in, whatever."
    )
    kiosk_idle_s: int = Field(
        604_800,
        ge=3600,
        description="A wall (kiosk) session ends after this much silence; it has no absolute "
        "limit and ends when its token is revoked.",
    )
    recheck_s: float = Field(
        30.0, gt=0, description="How often an open wall re-checks that its session is valid."
    )
    lockout_failures: int = Field(
        5, ge=1, description="Failed sign-ins of one name within lockout_window_s that lock it."
    )
    lockout_window_s: int = Field(900, ge=1, description="Window in which failures count.")
    lockout_s: int = Field(900, ge=1, description="How long a locked name stays locked.")
    password_min_length: int = Field(10, ge=6, description="Shortest password accepted.")
    password_time_cost: int = Field(3, ge=1, description="argon2id time cost (iterations).")
    password_memory_kib: int = Field(65_536, ge=8, description="argon2id memory cost in KiB.")


class PrivacySettings(Group):
    retention_days: int = Field(
        180,
        ge=1,
        description="Personal fields of cases closed this many days ago are purged (Redis and "
        "history); dead letters older than this are dropped.",
    )
    purge_interval_s: int = Field(
        3600, ge=60, description="How often the worker runs the retention purge and archiving."
    )


class AuditSettings(Group):
    hot_days: int = Field(
        90, ge=1, description="Audit entries stay in Redis (and GET /api/v1/audit) this long."
    )
    retention_days: int = Field(
        1095,
        ge=1,
        description="Audit entries are kept this long in all (Redis, then archive files).",
    )
    archive_dir: Path | None = Field(
        None, description="Folder of audit archive files; unset means <data_dir>/audit."
    )


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
    history_days: int = Field(
        30,
        ge=0,
        le=120,
        description="Days of simulated history the demo writes on its first start (0: none).",
    )
    history_per_day: int = Field(
        400, ge=10, le=20_000, description="Simulated cases per day of that history."
    )


class SlaSettings(Group):
    policy_file: Path | None = Field(
        None,
        description=(
            "SLA policy file (YAML: limits, thresholds, escalation, calendar); unset means the "
            "shipped default feeds/sla/policy.yaml."
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


class Settings(BaseSettings):
    """Every setting of gridwall. See docs/configuration.md."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
        populate_by_name=True,
    )

    county: str = Field("320115", description="6-digit code of the county this install serves.")
    county_name: str = Field("演示区", description="Name of the county shown on the wall.")
    timezone: str = Field("Asia/Shanghai", description="Zone of working hours and display.")
    redis_url: str | None = Field(
        None,
        validation_alias=AliasChoices("redis_url", "REDIS_URL", "GRIDWALL_REDIS_URL"),
        description="Redis to use; unset means the embedded Redis of --data-dir.",
    )
    data_dir: Path = Field(
        default_factory=lambda: platformdirs.user_data_path("gridwall"),
        description="Folder of the embedded Redis, uploads, archive and briefings.",
    )
    demo_token: SecretStr | None = Field(
        None, description="Fixed demo API token (random when unset)."
    )
    http: HttpSettings = Field(default_factory=HttpSettings)
    processor: ProcessorSettings = Field(default_factory=ProcessorSettings)
    wall: WallSettings = Field(default_factory=WallSettings)
    simulator: SimulatorSettings = Field(default_factory=SimulatorSettings)
    feeds: FeedsSettings = Field(default_factory=FeedsSettings)
    alarms: AlarmSettings = Field(default_factory=AlarmSettings)
    refdata: RefdataSettings = Field(default_factory=RefdataSettings)
    sla: SlaSettings = Field(default_factory=SlaSettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    audit: AuditSettings = Field(default_factory=AuditSettings)
    history: HistorySettings = Field(default_factory=HistorySettings)
    briefing: BriefingSettings = Field(default_factory=BriefingSettings)

    _file_data: ClassVar[dict[str, Any]] = {}

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _FileSource(settings_cls, cls._file_data))


class _FileSource(PydanticBaseSettingsSource):
    """The parsed TOML file, lowest priority above the defaults."""

    def __init__(self, settings_cls: type[BaseSettings], data: dict[str, Any]) -> None:
        super().__init__(settings_cls)
        self._data = data

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._data)


def _known_paths(model: type[BaseModel], prefix: str = "") -> set[str]:
    paths: set[str] = set()
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        paths.add(path)
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, Group):
            paths |= _known_paths(annotation, f"{path}.")
    return paths


def _check_environment(env: Mapping[str, str]) -> None:
    known = _known_paths(Settings)
    for name in env:
        if not name.startswith(ENV_PREFIX) or name == CONFIG_ENV:
            continue
        path = name[len(ENV_PREFIX) :].lower().replace("__", ".")
        if path not in known:
            raise SettingsError(f"unknown setting {name} (from the environment)")


def _format_error(error: ValidationError, origin: str) -> str:
    lines = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"])
        if item["type"] == "extra_forbidden":
            lines.append(f"unknown setting '{where}' ({origin})")
        else:
            lines.append(f"invalid setting '{where}': {item['msg']} ({origin})")
    return "; ".join(lines)


def load_settings(
    config: Path | str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Load settings from overrides, the environment and an optional TOML file.

    Raises SettingsError with a message naming the offending key.
    """
    _check_environment(os.environ)
    path = config if config is not None else os.environ.get(CONFIG_ENV)
    file_data: dict[str, Any] = {}
    origin = "defaults and environment"
    if path:
        config_path = Path(path)
        try:
            file_data = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise SettingsError(f"config file not found: {config_path}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"config file {config_path} is not valid TOML: {exc}") from exc
        origin = f"in {config_path} or the environment"
    cleaned = {k: v for k, v in (overrides or {}).items() if v is not None}
    Settings._file_data = file_data
    try:
        settings = Settings(**cleaned)
    except ValidationError as exc:
        raise SettingsError(_format_error(exc, origin)) from exc
    finally:
        Settings._file_data = {}
    if not COUNTY_CODE.match(settings.county):
        raise SettingsError(f"invalid setting 'county': {settings.county!r} is not 6 digits")
    return settings


def documented_settings() -> list[str]:
    """Every leaf setting path (``http.port``), for the docs check."""
    paths = _known_paths(Settings)
    return sorted(p for p in paths if not any(other.startswith(p + ".") for other in paths))
