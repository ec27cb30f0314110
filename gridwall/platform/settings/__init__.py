"""The settings of gridwall, one module per group of settings (``gridwall.platform.settings.wall``,
...).

Sources, highest priority first:

1. explicit overrides (command-line flags),
2. environment variables ``GRIDWALL_*`` (nested groups with ``__``: ``GRIDWALL_HTTP__PORT``)
   and ``REDIS_URL``,
3. a TOML file given by ``--config`` or ``GRIDWALL_CONFIG``,
4. the defaults in each group's module (the domain defaults come from docs/domain.md).

Unknown keys are an error that names the key, whether they come from the TOML file or from a
``GRIDWALL_*`` environment variable: a typo must never be silently ignored.
Every setting is documented in ``docs/configuration.md`` (a test keeps the two in step).
"""

from gridwall.platform.settings.base import Group, SettingsError
from gridwall.platform.settings.loader import (
    CONFIG_ENV,
    ENV_PREFIX,
    Settings,
    documented_settings,
    load_settings,
)
from gridwall.platform.settings.pipeline import (
    AlarmSettings,
    FeedsSettings,
    MetricsSettings,
    ProcessorSettings,
    RefdataSettings,
    SlaSettings,
)
from gridwall.platform.settings.reports import BRIEFING_FORMATS, BriefingSettings, HistorySettings
from gridwall.platform.settings.server import (
    AuditSettings,
    AuthSettings,
    HttpSettings,
    PrivacySettings,
)
from gridwall.platform.settings.simulator import SimulatorSettings
from gridwall.platform.settings.wall import BacklogThresholds, WallSettings

__all__ = [
    "BRIEFING_FORMATS",
    "CONFIG_ENV",
    "ENV_PREFIX",
    "AlarmSettings",
    "AuditSettings",
    "AuthSettings",
    "BacklogThresholds",
    "BriefingSettings",
    "FeedsSettings",
    "Group",
    "HistorySettings",
    "HttpSettings",
    "MetricsSettings",
    "PrivacySettings",
    "ProcessorSettings",
    "RefdataSettings",
    "Settings",
    "SettingsError",
    "SimulatorSettings",
    "SlaSettings",
    "WallSettings",
    "documented_settings",
    "load_settings",
]
