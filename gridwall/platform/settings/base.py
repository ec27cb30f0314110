"""What every settings group shares."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class SettingsError(ValueError):
    """A setting is unknown or invalid; the message names it."""


class Strict(BaseModel):
    """Every configuration model (settings, feeds, alarm rules, SLA policies): unknown keys are
    refused (a typo is an error that names it) and the values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Group(Strict):
    """A group of settings."""
