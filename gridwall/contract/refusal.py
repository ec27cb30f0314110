"""The one refusal: why something a person, a device or a rule sent cannot be accepted.

``Refused`` carries the HTTP status a route answers with, the reason (``detail``), one reason
per field (``FieldError``) and the response headers (``Retry-After``, a challenge). The
specialised refusals derive from it and only fix its status and how it is built:

* ``PayloadError``: a parser cannot read one payload (a device's body, a file's row);
* ``IntakeError``: a well-formed event that names unknown things (a category, a grid);
* ``ActionRefused``: a lifecycle action that is not possible in the case's current state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "reason": self.reason}


class Refused(ValueError):
    """A refusal with its HTTP status, reason, field errors and headers."""

    def __init__(
        self,
        status: int,
        detail: str,
        errors: Sequence[FieldError] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = list(errors or [])
        self.headers = dict(headers or {})

    @property
    def reason(self) -> str:
        return self.detail

    @property
    def field(self) -> str:
        """The first field the refusal names (``body`` when it names none)."""
        return self.errors[0].field if self.errors else "body"


class PayloadError(Refused):
    """Input a parser cannot accept; ``reason`` says why (it goes to the dead letters)."""

    def __init__(self, reason: str, field: str = "body") -> None:
        super().__init__(422, reason, [FieldError(field, reason)])


class IntakeError(Refused):
    """Input that cannot be accepted, with one reason per field."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        found = list(errors)
        super().__init__(422, "; ".join(f"{e.field}: {e.reason}" for e in found), found)


class ActionRefused(Refused):
    """The action is not possible in the incident's current state; the message says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(409, reason)
