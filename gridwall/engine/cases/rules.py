"""The vocabulary of a lifecycle decision: what it depends on (``Rules``), one person's action
as the effects see it (``Step``), and the refusal an effect raises (``ActionRefused``).

Below both ``gridwall.engine.cases.actions`` (the effects) and ``gridwall.engine.cases.lifecycle``
(the transition table), so neither imports the other's callers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from gridwall.engine.sla.policy import PolicyBook, load_policies
from gridwall.refdata.registry import Registry


@dataclass(frozen=True)
class Step:
    action: str
    actor: str
    at: datetime
    department: str | None
    note: str
    params: dict[str, Any]
    event_id: str
    rules: Rules = field(repr=False)


@dataclass(frozen=True)
class Rules:
    """What decisions depend on besides the incident: SLA policies and reference data."""

    book: PolicyBook
    registry: Registry | None = None

    def category_sla(self, code: str) -> str | None:
        category = self.registry.category(code) if self.registry else None
        return category.sla if category else None

    def default_lead(self, code: str) -> str | None:
        category = self.registry.category(code) if self.registry else None
        return category.department if category else None

    def unknown_department(self, code: str) -> bool:
        """Departments are checked against the registry when it lists any."""
        return bool(
            self.registry and self.registry.departments and not self.registry.department(code)
        )


@lru_cache(maxsize=4)
def default_rules(timezone: str = "Asia/Shanghai") -> Rules:
    """The shipped policies without reference data (tests, tools)."""
    return Rules(load_policies(None, ZoneInfo(timezone)))
