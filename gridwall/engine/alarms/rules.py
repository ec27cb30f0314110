"""Alarm rules: which alarms open an incident (a file: type, priority, zone, time, group).

Rules are tried in order; the first that matches decides (``incident = false`` rules silence a
case explicitly). An alarm no rule matches stays an alarm on the wall and opens nothing.
``categories`` overrides the category each alarm type maps to. The shipped rules
(``gridwall/engine/alarms/alarm-rules.yaml``) are the default when ``alarms.rules`` is unset.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path

import yaml
from pydantic import Field, ValidationError, field_validator

from gridwall.contract.alarmtypes import TYPES
from gridwall.contract.events import AreaPath, Urgency
from gridwall.platform.settings.base import Strict

SHIPPED_RULES = Path(__file__).with_name("alarm-rules.yaml")
_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


class RulesError(ValueError):
    """The rules file cannot be used; the message says where."""


class AlarmRule(Strict):
    name: str = Field(min_length=1, max_length=64)
    types: list[str] = Field(default_factory=list, description="Alarm types (any if empty).")
    max_priority: int = Field(4, ge=1, le=4, description="Priority at least this urgent (1 most).")
    zones: list[str] = Field(
        default_factory=list, description="Area codes (grid, community, street, county)."
    )
    groups: list[str] = Field(default_factory=list, description="Camera groups.")
    sources: list[str] = Field(default_factory=list, description="Source ids.")
    hours: list[str] = Field(
        default_factory=list, description="Local time windows 'HH:MM-HH:MM' (may wrap midnight)."
    )
    weekdays: list[int] = Field(default_factory=list, description="ISO weekdays 1 (Mon) … 7.")
    incident: bool = Field(default=True, description="Open an incident (false: never).")
    category: str | None = Field(None, description="Category of the incident (default: type's).")
    urgency: Urgency | None = Field(None, description="Urgency (default: the category's).")

    @field_validator("types")
    @classmethod
    def _known_types(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(TYPES))
        if unknown:
            raise ValueError(f"unknown alarm type(s) {', '.join(unknown)}")
        return value

    @field_validator("hours")
    @classmethod
    def _windows(cls, value: list[str]) -> list[str]:
        for window in value:
            if not _HOURS.match(window):
                raise ValueError(f"time window {window!r} is not 'HH:MM-HH:MM'")
        return value

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, value: list[int]) -> list[int]:
        if any(not 1 <= day <= 7 for day in value):
            raise ValueError("weekdays are 1 (Monday) to 7 (Sunday)")
        return value


class RuleSet(Strict):
    rules: list[AlarmRule] = Field(default_factory=list)
    categories: dict[str, str] = Field(
        default_factory=dict, description="Alarm type → category code (overrides the default)."
    )

    @field_validator("categories")
    @classmethod
    def _known(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(TYPES))
        if unknown:
            raise ValueError(f"unknown alarm type(s) {', '.join(unknown)}")
        return value

    def category_of(self, alarm_type: str) -> str:
        kind = TYPES.get(alarm_type, TYPES["other"])
        return self.categories.get(alarm_type, kind.category)


@dataclass(frozen=True)
class AlarmFacts:
    """What a rule looks at."""

    alarm_type: str
    priority: int
    area: AreaPath | None
    group: str | None
    source: str
    local_time: datetime


def _in_window(window: str, moment: time) -> bool:
    match = _HOURS.match(window)
    assert match is not None
    start = time(int(match.group(1)), int(match.group(2)))
    end_hour = int(match.group(3))
    end = time(23, 59, 59, 999999) if end_hour == 24 else time(end_hour, int(match.group(4)))
    if start <= end:
        return start <= moment <= end
    return moment >= start or moment <= end


def matches(rule: AlarmRule, facts: AlarmFacts) -> bool:
    if rule.types and facts.alarm_type not in rule.types:
        return False
    if facts.priority > rule.max_priority:
        return False
    if rule.sources and facts.source not in rule.sources:
        return False
    if rule.groups and facts.group not in rule.groups:
        return False
    if rule.zones:
        area = facts.area
        codes = {area.grid, area.community, area.street, area.county} if area else set()
        if not codes & set(rule.zones):
            return False
    if rule.weekdays and facts.local_time.isoweekday() not in rule.weekdays:
        return False
    moment = facts.local_time.time()
    return not rule.hours or any(_in_window(w, moment) for w in rule.hours)


def first_match(rules: RuleSet, facts: AlarmFacts) -> AlarmRule | None:
    return next((rule for rule in rules.rules if matches(rule, facts)), None)


def load_rules(path: Path | None) -> RuleSet:
    """The rules of a file (YAML or TOML); None means the shipped rules."""
    path = path or SHIPPED_RULES
    try:
        text = path.read_text(encoding="utf-8")
        is_toml = path.suffix.lower() == ".toml"
        data = tomllib.loads(text) if is_toml else yaml.safe_load(text) or {}
        return RuleSet.model_validate(data)
    except OSError as exc:
        raise RulesError(f"cannot read alarm rules {path}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise RulesError(f"alarm rules {path} cannot be read: {exc}") from None
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise RulesError(f"alarm rules {path}: {where}: {first['msg']}") from None
