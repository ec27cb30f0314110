"""Web sessions: a signed, HttpOnly, SameSite=Strict cookie naming a session kept in Redis.

The cookie holds a random session id and its HMAC (key: ``auth.secret_key`` or the key file);
Redis holds the session under the SHA-256 of the id, with the idle timeout as its TTL, so a
stolen Redis dump names no usable session. A person's session also ends
``auth.session_absolute_s`` after sign-in. A wall's (kiosk) session has no absolute limit and
ends when the token it was opened with is revoked. Each session carries its CSRF token, which
the page echoes in a header or form field for every write (see ``gridwall.web.guard``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path

import redis
import redis.asyncio as aredis
from pydantic import BaseModel, ConfigDict

from gridwall.access.roles import Principal, Role
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings

SESSION_COOKIE = "gw_session"
CSRF_COOKIE = "gw_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


class Session(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    principal: Principal
    created: float
    csrf: str
    #: SHA-256 of the wall token the kiosk session was opened with.
    kiosk: str | None = None

    @property
    def is_kiosk(self) -> bool:
        return self.kiosk is not None or self.principal.role is Role.WALL


def load_secret(settings: Settings) -> bytes:
    """The session-signing key: from the environment, a named file, or the data folder's."""
    auth = settings.auth
    if auth.secret_key is not None:
        return auth.secret_key.get_secret_value().encode("utf-8")
    path = auth.secret_key_file or settings.data_dir / "secret.key"
    if auth.secret_key_file is None and not path.exists():
        _create_key_file(path)
    return path.read_bytes().strip()


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))


def _mac(secret: bytes, value: str) -> str:
    digest = hmac.new(secret, value.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def sign(secret: bytes, session_id: str) -> str:
    return f"{session_id}.{_mac(secret, session_id)}"


def unsign(secret: bytes, value: str) -> str | None:
    """The session id of a cookie value, or None when the signature is wrong."""
    session_id, _, mac = value.partition(".")
    if not session_id or not mac or len(value) > 200:
        return None
    return session_id if hmac.compare_digest(mac, _mac(secret, session_id)) else None


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("ascii")).hexdigest()


class SessionStore:
    """Sessions of one county (async: used by the web server)."""

    def __init__(self, client: aredis.Redis, keys: Keys, settings: Settings) -> None:
        self._r = client
        self._keys = keys
        self._auth = settings.auth
        self.secret = load_secret(settings)

    def _ttl(self, session: Session) -> int:
        return self._auth.kiosk_idle_s if session.is_kiosk else self._auth.session_idle_s

    async def create(self, principal: Principal, kiosk: str | None = None) -> tuple[str, Session]:
        """A new session; returns the cookie value and the session."""
        session_id = secrets.token_urlsafe(32)
        session = Session(
            principal=principal, created=time.time(), csrf=secrets.token_urlsafe(24), kiosk=kiosk
        )
        key = self._keys.session(_digest(session_id))
        index = self._keys.user_sessions(principal.name)
        async with self._r.pipeline(transaction=True) as pipe:
            pipe.set(key, session.model_dump_json(), ex=self._ttl(session))
            pipe.sadd(index, key)
            pipe.expire(index, max(self._auth.session_absolute_s, self._auth.kiosk_idle_s))
            await pipe.execute()
        return sign(self.secret, session_id), session

    async def load(self, cookie: str) -> Session | None:
        """The valid session a cookie names (refreshing its idle timeout), else None."""
        session_id = unsign(self.secret, cookie)
        if session_id is None:
            return None
        key = self._keys.session(_digest(session_id))
        raw = await self._r.get(key)
        if raw is None:
            return None
        session = Session.model_validate_json(raw)
        if not await self.still_valid(session):
            await self._r.delete(key)
            return None
        await self._r.expire(key, self._ttl(session))
        return session

    async def still_valid(self, session: Session) -> bool:
        if session.kiosk is not None:
            return bool(await self._r.hexists(self._keys.api_tokens, session.kiosk))
        return time.time() - session.created <= self._auth.session_absolute_s

    async def alive(self, cookie: str) -> bool:
        """Whether the session still exists and is valid (an open wall asks this)."""
        return await self.load(cookie) is not None

    async def end(self, cookie: str) -> None:
        session_id = unsign(self.secret, cookie)
        if session_id is not None:
            await self._r.delete(self._keys.session(_digest(session_id)))


def end_user_sessions(client: redis.Redis, keys: Keys, name: str) -> int:
    """End every session of a user (disabled, new password); returns how many existed."""
    index = keys.user_sessions(name)
    members = list(client.smembers(index))
    ended = int(client.delete(*members)) if members else 0
    client.delete(index)
    return ended
