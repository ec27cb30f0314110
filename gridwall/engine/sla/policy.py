"""SLA policies (时限规则) from a YAML file: limits per stage, thresholds, escalation, calendar.

``load_policies(path, tz)`` reads and validates the file (unknown keys are errors naming the
key) and returns a ``PolicyBook``: the resolved policies (``extends`` flattened, every limit in
clock seconds), the working calendar, the warning thresholds and the escalation rules. The
format is documented in docs/lifecycle-and-sla.md; the shipped default is ``policy.yaml`` next
to this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import yaml
from pydantic import Field, ValidationError, field_validator

from gridwall.contract.events import Urgency
from gridwall.engine.incident import CaseLevel, StageName, TimeBasis
from gridwall.engine.sla.calendar import WorkCalendar, chinese_official
from gridwall.platform.settings.base import Strict

DEFAULT_POLICY_FILE = Path(__file__).with_name("policy.yaml")

_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)([dhms]))+$")
_PART = re.compile(r"(\d+(?:\.\d+)?)([dhms])")
_PERIOD = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


class PolicyError(ValueError):
    """The policy file is missing or invalid; the message names the key."""


def parse_duration(text: str, day: timedelta) -> timedelta:
    """``"1d4h"``, ``"30m"``, ``"90s"``; ``d`` is ``day`` (a working day or 24 h)."""
    value = text.strip()
    if not _DURATION.match(value):
        raise ValueError(f"{text!r} is not a duration like 30m, 2h, 5d or 1d4h")
    total = timedelta(0)
    for amount, unit in _PART.findall(value):
        number = float(amount)
        if unit == "d":
            total += day * number
        else:
            total += timedelta(**{{"h": "hours", "m": "minutes", "s": "seconds"}[unit]: number})
    return total


def _check_duration(value: str) -> str:
    parse_duration(value, timedelta(days=1))
    return value


class StageLimit(Strict):
    limit: str
    basis: TimeBasis | None = None

    @field_validator("limit")
    @classmethod
    def _limit(cls, value: str) -> str:
        return _check_duration(value)


class PolicyIn(Strict):
    name: str = ""
    name_en: str = ""
    extends: str | None = None
    urgent: bool | None = None
    basis: TimeBasis | None = None
    thresholds: list[int] | None = None
    stages: dict[StageName, StageLimit | str] = Field(default_factory=dict)


class EscalationRule(Strict):
    """After a breach of one of ``stages``: ``action`` at ``after``, then every ``repeat_every``."""

    stages: list[StageName]
    policies: list[str] | None = None
    action: Literal["escalate", "urge", "supervise"] = "escalate"
    to: CaseLevel | Literal["next"] = "next"
    after: str = "0m"
    repeat_every: str | None = None
    max_repeats: int | None = Field(None, ge=1)
    max_level: CaseLevel = CaseLevel.CITY

    @field_validator("after", "repeat_every")
    @classmethod
    def _durations(cls, value: str | None) -> str | None:
        return None if value is None else _check_duration(value)

    def matches(self, policy: str, stage: StageName) -> bool:
        return stage in self.stages and (self.policies is None or policy in self.policies)


class CalendarIn(Strict):
    working_hours: list[str] = Field(default_factory=lambda: ["08:30-12:00", "14:00-17:30"])
    weekend: list[int] = Field(default_factory=lambda: [6, 7])
    official: bool = True
    holidays: list[date] = Field(default_factory=list)
    workdays: list[date] = Field(default_factory=list)
    listed_years: list[int] = Field(default_factory=list)

    @field_validator("working_hours")
    @classmethod
    def _periods(cls, value: list[str]) -> list[str]:
        for item in value:
            match = _PERIOD.match(item.strip())
            if not match or int(match[1]) > 23 or int(match[3]) > 23:
                raise ValueError(f"{item!r} is not a period like 08:30-12:00")
        return value

    def periods(self) -> list[tuple[time, time]]:
        found = []
        for item in self.working_hours:
            match = _PERIOD.match(item.strip())
            assert match is not None
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            found.append((time(h1, m1), time(h2, m2)))
        return found


class PolicyFile(Strict):
    version: Literal[1] = 1
    thresholds: list[int] = Field(default_factory=lambda: [50, 75, 90])
    initial_level: CaseLevel = CaseLevel.COMMUNITY
    calendar: CalendarIn = Field(default_factory=CalendarIn)
    urgent_policy: str = "urgent"
    policies: dict[str, PolicyIn]
    categories: dict[str, str] = Field(default_factory=dict)
    escalation: list[EscalationRule] = Field(default_factory=list)


@dataclass(frozen=True)
class StageRule:
    limit: timedelta
    basis: TimeBasis


@dataclass(frozen=True)
class Policy:
    """One resolved policy: every stage's limit in clock time and its basis."""

    key: str
    name: str
    name_en: str
    urgent: bool
    thresholds: tuple[int, ...]
    stages: dict[StageName, StageRule]


@dataclass(frozen=True)
class Escalation:
    rule: EscalationRule
    after: timedelta
    repeat_every: timedelta | None


class PolicyBook:
    """Everything the lifecycle needs to time stages: policies, calendar, rules."""

    def __init__(self, source: PolicyFile, calendar: WorkCalendar, path: Path | None) -> None:
        self.source = source
        self.calendar = calendar
        self.path = path
        self.initial_level = source.initial_level
        self.policies = {key: self._resolve(key, []) for key in source.policies}
        if source.urgent_policy not in self.policies:
            raise PolicyError(f"urgent_policy {source.urgent_policy!r} is not a policy")
        for code, key in source.categories.items():
            if key not in self.policies:
                raise PolicyError(f"categories.{code}: no policy {key!r}")

    def _resolve(self, key: str, chain: list[str]) -> Policy:
        if key in chain:
            raise PolicyError(f"policies.{key}: extends itself ({' → '.join([*chain, key])})")
        spec = self.source.policies.get(key)
        if spec is None:
            raise PolicyError(f"policies.{chain[-1]}.extends: no policy {key!r}")
        base = self._resolve(spec.extends, [*chain, key]) if spec.extends else None
        basis = spec.basis or (base.stages[StageName.HANDLE].basis if base else None)
        stages = dict(base.stages) if base else {}
        for stage, given in spec.stages.items():
            limit = given if isinstance(given, StageLimit) else StageLimit(limit=given)
            stage_basis = limit.basis or basis or TimeBasis.WORKING
            amount = parse_duration(limit.limit, self.calendar.day(stage_basis))
            stages[stage] = StageRule(limit=amount, basis=stage_basis)
        missing = [s.value for s in StageName if s not in stages]
        if missing:
            raise PolicyError(f"policies.{key}: no limit for {', '.join(missing)}")
        thresholds = spec.thresholds or (list(base.thresholds) if base else self.source.thresholds)
        return Policy(
            key=key,
            name=spec.name or (base.name if base else key),
            name_en=spec.name_en or (base.name_en if base else key),
            urgent=spec.urgent if spec.urgent is not None else bool(base and base.urgent),
            thresholds=tuple(sorted({t for t in thresholds if 0 < t < 100})),
            stages=stages,
        )

    def policy_key(self, category: str, category_sla: str | None, urgency: Urgency) -> str:
        """Which policy times an incident of a category (catalogue key) and urgency."""
        key = self.source.categories.get(category) or category_sla or "normal"
        if key not in self.policies:
            key = "normal" if "normal" in self.policies else self.source.urgent_policy
        if urgency == Urgency.URGENT and not self.policies[key].urgent:
            key = self.source.urgent_policy
        return key

    def get(self, key: str) -> Policy:
        return self.policies.get(key) or self.policies[self.source.urgent_policy]

    def escalation(self, policy: str, stage: StageName) -> Escalation | None:
        for rule in self.source.escalation:
            if rule.matches(policy, stage):
                basis = self.get(policy).stages[stage].basis
                day = self.calendar.day(basis)
                every = parse_duration(rule.repeat_every, day) if rule.repeat_every else None
                return Escalation(rule, parse_duration(rule.after, day), every)
        return None

    def describe(self, now: datetime) -> dict[str, Any]:
        """The policies as ``GET /api/v1/sla/policies`` shows them (limits in seconds too)."""
        cal = self.calendar
        return {
            "file": str(self.path) if self.path else None,
            "thresholds": self.source.thresholds,
            "initial_level": self.initial_level.value,
            "urgent_policy": self.source.urgent_policy,
            "calendar": {
                **self.source.calendar.model_dump(mode="json"),
                "timezone": str(cal.tz),
                "working_day_s": cal.day_length.total_seconds(),
                "years_without_data": cal.missing_years([now.year, now.year + 1]),
            },
            "policies": {
                key: {
                    "name": p.name,
                    "name_en": p.name_en,
                    "urgent": p.urgent,
                    "thresholds": list(p.thresholds),
                    "stages": {
                        s.value: {"limit_s": r.limit.total_seconds(), "basis": r.basis.value}
                        for s, r in p.stages.items()
                    },
                }
                for key, p in self.policies.items()
            },
            "categories": self.source.categories,
            "escalation": [r.model_dump(mode="json") for r in self.source.escalation],
        }


def _location(error: ValidationError) -> str:
    lines = []
    for item in error.errors(include_url=False):
        where = ".".join(str(p) for p in item["loc"]) or "file"
        what = "unknown key" if item["type"] == "extra_forbidden" else item["msg"]
        lines.append(f"{where}: {what}")
    return "; ".join(lines)


def parse_policies(
    data: Any, tz: ZoneInfo, path: Path | None = None, *, official: bool = True
) -> PolicyBook:
    """Validate parsed YAML into a PolicyBook; raises PolicyError naming the key."""
    where = f" in {path}" if path else ""
    try:
        source = PolicyFile.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(f"invalid SLA policy file{where}: {_location(exc)}") from exc
    cal = source.calendar
    try:
        calendar = WorkCalendar(
            tz,
            cal.periods(),
            weekend=cal.weekend,
            holidays=cal.holidays,
            workdays=cal.workdays,
            listed_years=cal.listed_years,
            official=chinese_official if cal.official and official else None,
        )
        return PolicyBook(source, calendar, path)
    except (ValueError, KeyError) as exc:
        raise PolicyError(f"invalid SLA policy file{where}: {exc}") from exc


def load_policies(path: Path | None, tz: ZoneInfo) -> PolicyBook:
    """Read the policy file (the shipped default when ``path`` is None)."""
    chosen = path or DEFAULT_POLICY_FILE
    try:
        data = yaml.safe_load(chosen.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PolicyError(f"SLA policy file not found: {chosen}") from exc
    except yaml.YAMLError as exc:
        raise PolicyError(f"SLA policy file {chosen} is not valid YAML: {exc}") from exc
    return parse_policies(data, tz, chosen)
