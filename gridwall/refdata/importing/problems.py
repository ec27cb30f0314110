"""What an import found wrong: every problem at once, with where and why.

A ``Problem`` names its place in the input (``feature 12``, ``row 5``, ``entry 3``), the record's
code when known, the field and the reason. Errors block an import (unless ``--partial``);
warnings and repairs are reported and do not. Reasons never quote personal values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"  # the record cannot be imported as it is
    REPAIRED = "repaired"  # fixed on the way in (e.g. a self-intersecting ring)
    WARNING = "warning"  # imported, but worth a look


@dataclass(frozen=True)
class Problem:
    where: str
    reason: str
    code: str | None = None
    field: str | None = None
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        subject = self.where + (f" ({self.code})" if self.code else "")
        prefix = f"{self.field}: " if self.field else ""
        return f"{self.severity.value}: {subject}: {prefix}{self.reason}"


@dataclass
class Problems:
    """Problems of one input, collected in order."""

    items: list[Problem] = field(default_factory=list)
    #: How many errors were added so far (cheap to compare before and after a record).
    error_count: int = 0

    def add(
        self,
        where: str,
        reason: str,
        *,
        code: str | None = None,
        field: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        self.items.append(Problem(where, reason, code, field, severity))
        self.error_count += severity is Severity.ERROR

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity is Severity.ERROR]

    def has_errors(self) -> bool:
        return self.error_count > 0

    def ordered(self) -> list[Problem]:
        """Problems in input order (``feature 2`` before ``feature 10``), stable otherwise."""

        def key(p: Problem) -> tuple[str, int]:
            head, _, number = p.where.rpartition(" ")
            return (head, int(number)) if number.isdigit() else (p.where, 0)

        return sorted(self.items, key=key)
