"""What every settings group shares."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class SettingsError(ValueError):
    """A setting is unknown or invalid; the message names it."""


class Group(BaseModel):
    """A group of settings: unknown keys are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)
