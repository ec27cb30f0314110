"""Who may do what: roles, principals, rights, API tokens and the department scope of cases.

Tokens are random, shown once, and stored only as SHA-256 hashes (a token has 192 bits of
entropy, so a fast hash is enough; passwords are another matter, see ``gridwall.access.users``). A
principal may hold several tokens at once, so a token is rotated without downtime: issue the
new one, switch the client, revoke the old one. The route × role table is in
docs/access-control.md.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import redis
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from gridwall.platform.keys import Keys


class Role(StrEnum):
    WALL = "wall"  # read-only kiosk bound to one layout; never sees personal data
    OPERATOR = "operator"  # 值班员: acts on incidents, acknowledges alarms
    DEPARTMENT = "department"  # 职能部门: its own department's cases only
    LEADER = "leader"  # 分管领导: everything read-only, briefings
    ADMIN = "admin"  # users, sources, reference data, settings
    SOURCE = "source"  # a feed posting events (a system, not a person)


#: Roles of people and screens (everything but feeds).
PEOPLE: frozenset[Role] = frozenset(
    {Role.WALL, Role.OPERATOR, Role.DEPARTMENT, Role.LEADER, Role.ADMIN}
)
#: Roles that sign in with a password (walls and sources use tokens only).
PASSWORD_ROLES: frozenset[Role] = frozenset(
    {Role.OPERATOR, Role.DEPARTMENT, Role.LEADER, Role.ADMIN}
)
#: Roles that never change anything, whatever a route declares.
READ_ONLY: frozenset[Role] = frozenset({Role.WALL})


class Right(StrEnum):
    """Rights beyond a route's roles, about personal information."""

    UNMASK = "unmask"  # reveal one case's personal fields, with a stated reason (audited)
    EXPORT_PERSONAL = "export-personal"  # exports that keep personal fields (audited)
    RAW_DEADLETTERS = "raw-deadletters"  # dead letters with their raw payload


RIGHTS: dict[Role, frozenset[Right]] = {
    Role.WALL: frozenset(),
    Role.OPERATOR: frozenset({Right.UNMASK}),
    Role.DEPARTMENT: frozenset({Right.UNMASK}),
    Role.LEADER: frozenset(),
    Role.ADMIN: frozenset({Right.UNMASK, Right.EXPORT_PERSONAL, Right.RAW_DEADLETTERS}),
    Role.SOURCE: frozenset(),
}


class Principal(BaseModel):
    """Who is calling."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    role: Role
    department: str | None = None
    source: str | None = None
    #: A wall principal's layout (None: every layout, the demo's kiosk only).
    layout: str | None = None


def has_right(principal: Principal | None, right: Right) -> bool:
    return principal is not None and right in RIGHTS.get(principal.role, frozenset())


# -- the department scope of a case ------------------------------------------------------------

#: Incident attributes that name departments (the lifecycle issue adds lead and co-handling
#: departments to the incident; whichever of these exist are read).
DEPARTMENT_FIELDS = ("departments", "lead_department", "department", "co_departments")


def incident_departments(incident: Any) -> frozenset[str]:
    """The departments a case belongs to (lead and co-handling), from whatever it records."""
    found: set[str] = set()
    for name in DEPARTMENT_FIELDS:
        value = getattr(incident, name, None)
        if isinstance(value, str) and value:
            found.add(value)
        elif isinstance(value, Iterable) and not isinstance(value, str | bytes):
            found |= {
                code
                for item in value
                if (code := item if isinstance(item, str) else getattr(item, "code", None))
            }
    return frozenset(found)


def can_read_incident(principal: Principal, incident: Any) -> bool:
    """Department users see their own department's cases only; walls and feeds none."""
    if principal.role in {Role.OPERATOR, Role.LEADER, Role.ADMIN}:
        return True
    if principal.role is Role.DEPARTMENT:
        return principal.department is not None and principal.department in (
            incident_departments(incident)
        )
    return False


# -- API tokens --------------------------------------------------------------------------------


class TokenRecord(BaseModel):
    """What is stored for one token (under the SHA-256 of the token)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    principal: Principal
    label: str = ""
    created_at: AwareDatetime = Field(default_factory=lambda: datetime.now(UTC))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return "gw_" + secrets.token_urlsafe(24)


def parse_token_record(token_hash: str, raw: bytes | str | None) -> TokenRecord | None:
    """A stored token record (also the skeleton's bare principal JSON); None if unreadable."""
    if raw is None:
        return None
    try:
        return TokenRecord.model_validate_json(raw)
    except ValidationError:
        pass
    try:
        return TokenRecord(id=token_hash[:12], principal=Principal.model_validate_json(raw))
    except ValidationError:
        return None


class TokenStore:
    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self._client = client
        self._keys = keys

    def issue(self, principal: Principal, token: str | None = None, label: str = "") -> str:
        """Store a token for ``principal``; returns the token (shown once).

        Earlier tokens of the principal stay valid until revoked (rotation without downtime).
        """
        token = token or new_token()
        digest = hash_token(token)
        record = TokenRecord(id=digest[:12], principal=principal, label=label)
        self._client.hset(self._keys.api_tokens, digest, record.model_dump_json())
        return token

    def record(self, token: str) -> TokenRecord | None:
        digest = hash_token(token)
        raw = self._client.hget(self._keys.api_tokens, digest)
        return parse_token_record(digest, raw)

    def lookup(self, token: str) -> Principal | None:
        found = self.record(token)
        return None if found is None else found.principal

    def revoke(self, token: str) -> bool:
        return bool(self._client.hdel(self._keys.api_tokens, hash_token(token)))

    def records(self, name: str | None = None) -> dict[str, TokenRecord]:
        """Token hash → record, of one principal name or of all."""
        found: dict[str, TokenRecord] = {}
        for raw_hash, raw in self._client.hscan_iter(self._keys.api_tokens):
            digest = raw_hash.decode() if isinstance(raw_hash, bytes) else str(raw_hash)
            record = parse_token_record(digest, raw)
            if record is not None and (name is None or record.principal.name == name):
                found[digest] = record
        return found

    def revoke_id(self, name: str, token_id: str) -> bool:
        """Revoke the token of ``name`` whose id is ``token_id``."""
        for digest, record in self.records(name).items():
            if record.id == token_id:
                return bool(self._client.hdel(self._keys.api_tokens, digest))
        return False

    def revoke_all(self, name: str) -> int:
        digests = list(self.records(name))
        return int(self._client.hdel(self._keys.api_tokens, *digests)) if digests else 0
