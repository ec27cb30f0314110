"""The ``Settings`` model and how it is loaded: overrides, environment, TOML file, defaults
(see the package's docstring); unknown keys are errors that name the key."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import platformdirs
from pydantic import (
    AliasChoices,
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
)
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from gridwall.platform.settings.base import Group, SettingsError
from gridwall.platform.settings.pipeline import (
    AlarmSettings,
    FeedsSettings,
    MetricsSettings,
    ProcessorSettings,
    RefdataSettings,
    SlaSettings,
)
from gridwall.platform.settings.reports import BriefingSettings, HistorySettings
from gridwall.platform.settings.server import (
    AuditSettings,
    AuthSettings,
    HttpSettings,
    PrivacySettings,
)
from gridwall.platform.settings.simulator import SimulatorSettings
from gridwall.platform.settings.wall import WallSettings

ENV_PREFIX = "GRIDWALL_"
CONFIG_ENV = "GRIDWALL_CONFIG"
COUNTY_CODE = re.compile(r"^\d{6}$")


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
