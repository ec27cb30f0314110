"""Credentials: API tokens and the principals they stand for.

Tokens are random, shown once, and stored only as SHA-256 hashes (a token has 192 bits of
entropy, so a fast hash is enough; passwords are another matter). The walking skeleton issues
the demo admin token here; the access-control issue adds users, roles and sessions on top.
"""

from __future__ import annotations

import hashlib
import secrets
from enum import StrEnum

import redis
from pydantic import BaseModel, ConfigDict

from feeds.keys import Keys


class Role(StrEnum):
    WALL = "wall"  # read-only kiosk
    OPERATOR = "operator"  # acts on incidents, acknowledges alarms
    DEPARTMENT = "department"  # its own department's cases only
    LEADER = "leader"  # everything read-only, briefings
    ADMIN = "admin"  # users, sources, reference data, settings
    SOURCE = "source"  # a feed posting events


class Principal(BaseModel):
    """Who is calling."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    role: Role
    department: str | None = None
    source: str | None = None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return "gw_" + secrets.token_urlsafe(24)


class TokenStore:
    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self._client = client
        self._keys = keys

    def issue(self, principal: Principal, token: str | None = None) -> str:
        """Store a token for ``principal``; returns the token (shown once)."""
        token = token or new_token()
        self._client.hset(self._keys.api_tokens, hash_token(token), principal.model_dump_json())
        return token

    def lookup(self, token: str) -> Principal | None:
        raw = self._client.hget(self._keys.api_tokens, hash_token(token))
        return None if raw is None else Principal.model_validate_json(raw)

    def revoke(self, token: str) -> bool:
        return bool(self._client.hdel(self._keys.api_tokens, hash_token(token)))
