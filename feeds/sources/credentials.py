"""Source credentials: bearer tokens bound to one source, with rotation without downtime.

A source token is an API token (``gridwall.access.roles.TokenStore``, stored as its SHA-256) whose
principal has the role ``source`` and names its source; this module keeps, per source, the
metadata of each token (issued, expires, label) so that:

* ``rotate`` issues a new token and gives every older one of the source an expiry after a grace
  period: during the changeover both are valid, then the old one stops working by itself;
* ``revoke`` removes one token (by the first characters of its id) or all of a source;
* ``check`` refuses a token past its expiry (and purges it).

Every change calls ``audit_credential_change`` (a ``source-changed`` audit entry); a caller may
pass its own hook instead.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Literal

import redis

from gridwall.access.audit import AuditAction, audit
from gridwall.access.roles import Principal, Role, TokenStore, hash_token
from gridwall.platform.keys import Keys

log = logging.getLogger(__name__)

#: Characters of a token's SHA-256 shown as its id (never the token itself).
TOKEN_ID_CHARS = 12


@dataclass(frozen=True)
class CredentialChange:
    """One change of a source credential, for the audit log."""

    action: Literal["issue", "rotate", "revoke", "expire"]
    source: str
    token_id: str
    actor: str
    at: float
    detail: str = ""


def audit_credential_change(client: redis.Redis, keys: Keys, change: CredentialChange) -> None:
    """The audit hook of source-credential changes: one ``source-changed`` entry in the audit
    stream (``gridwall.access.audit``), and a log line."""
    log.info("source credential %s", json.dumps(asdict(change), ensure_ascii=False))
    audit(
        client,
        keys,
        AuditAction.SOURCE_CHANGED,
        actor=change.actor,
        target=change.source,
        via="cli" if change.actor == "cli" else "system",
        detail={"change": change.action, "token_id": change.token_id, "detail": change.detail},
    )


AuditHook = Callable[[CredentialChange], None]


@dataclass(frozen=True)
class TokenInfo:
    token_id: str
    source: str
    issued_at: float
    expires_at: float | None
    label: str

    def valid(self, now: float) -> bool:
        return self.expires_at is None or now < self.expires_at


class SourceTokens:
    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        *,
        audit: AuditHook | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self._keys = keys
        self._tokens = TokenStore(client, keys)
        self._audit = audit or functools.partial(audit_credential_change, client, keys)
        self._clock = clock

    @staticmethod
    def principal(source: str) -> Principal:
        return Principal(name=f"source:{source}", role=Role.SOURCE, source=source)

    def issue(
        self, source: str, *, label: str = "", actor: str = "cli", expires_at: float | None = None
    ) -> str:
        """A new token for ``source``; returned once, stored only hashed."""
        token = self._tokens.issue(self.principal(source), label=label)
        digest = hash_token(token)
        now = self._clock()
        meta = {"issued_at": now, "expires_at": expires_at, "label": label}
        self._client.hset(self._keys.source_credentials(source), digest, json.dumps(meta))
        self._audit(CredentialChange("issue", source, digest[:TOKEN_ID_CHARS], actor, now, label))
        return token

    def rotate(
        self, source: str, *, grace_s: float = 86_400.0, label: str = "", actor: str = "cli"
    ) -> str:
        """Issue a new token; older tokens of the source stay valid for ``grace_s`` more."""
        now = self._clock()
        until = now + grace_s
        for info in self.list(source):
            if grace_s <= 0:  # no changeover: the older tokens end now
                for digest in self._digests(source, info.token_id):
                    self._remove(source, digest, "expire", actor)
            elif info.expires_at is None or info.expires_at > until:
                self._set_expiry(source, info, until)
        token = self.issue(source, label=label, actor=actor)
        self._audit(
            CredentialChange(
                "rotate",
                source,
                hash_token(token)[:TOKEN_ID_CHARS],
                actor,
                now,
                f"older tokens expire in {grace_s:.0f} s",
            )
        )
        return token

    def _set_expiry(self, source: str, info: TokenInfo, until: float) -> None:
        for digest in self._digests(source, info.token_id):
            meta = {"issued_at": info.issued_at, "expires_at": until, "label": info.label}
            self._client.hset(self._keys.source_credentials(source), digest, json.dumps(meta))

    def revoke(self, source: str, token_id: str | None = None, *, actor: str = "cli") -> int:
        """Remove one token (by id prefix) or, without ``token_id``, every token of ``source``."""
        digests = self._digests(source, token_id or "")
        for digest in digests:
            self._remove(source, digest, "revoke", actor)
        return len(digests)

    def _remove(
        self, source: str, digest: str, action: Literal["revoke", "expire"], actor: str
    ) -> None:
        pipe = self._client.pipeline(transaction=True)
        pipe.hdel(self._keys.api_tokens, digest)
        pipe.hdel(self._keys.source_credentials(source), digest)
        pipe.execute()
        self._audit(CredentialChange(action, source, digest[:TOKEN_ID_CHARS], actor, self._clock()))

    def _digests(self, source: str, prefix: str) -> list[str]:
        stored = self._client.hkeys(self._keys.source_credentials(source))
        return sorted(d for d in (_text(k) for k in stored) if d.startswith(prefix))

    def list(self, source: str) -> list[TokenInfo]:
        stored = self._client.hgetall(self._keys.source_credentials(source))
        found = []
        for raw_digest, raw_meta in stored.items():
            meta = json.loads(raw_meta)
            found.append(
                TokenInfo(
                    token_id=_text(raw_digest)[:TOKEN_ID_CHARS],
                    source=source,
                    issued_at=float(meta["issued_at"]),
                    expires_at=meta.get("expires_at"),
                    label=meta.get("label", ""),
                )
            )
        return sorted(found, key=lambda i: i.issued_at)

    def check(self, principal: Principal, token: str) -> str | None:
        """None when a source principal's token may be used now, else the reason."""
        if principal.role is not Role.SOURCE or principal.source is None:
            return None
        digest = hash_token(token)
        raw = self._client.hget(self._keys.source_credentials(principal.source), digest)
        if raw is None:  # issued as a user's token (``gridwall users token``): no expiry here
            return None
        expires = json.loads(raw).get("expires_at")
        if expires is not None and self._clock() >= float(expires):
            self._remove(principal.source, digest, "expire", "system")
            return "this source token has expired (it was rotated)"
        return None


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
