"""Users: people who sign in with a password, walls and feeds that hold tokens.

Passwords are hashed with argon2id (argon2-cffi); a record never holds a password. Repeated
failures lock a name for a while (``auth.lockout_*``): failures count per name whether the name
exists or not, and an unknown name costs the same hashing time as a known one, so neither
timing nor answers tell which names exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

import redis
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from gridwall.access.roles import PASSWORD_ROLES, Principal, Role
from gridwall.platform.keys import Keys
from gridwall.platform.settings import AuthSettings

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,31}$")


class UserError(ValueError):
    """A user change that cannot be made; the message says why."""


class User(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    role: Role
    department: str | None = None
    layout: str | None = None
    source: str | None = None
    password_hash: str | None = None
    disabled: bool = False
    created_at: AwareDatetime = Field(default_factory=lambda: datetime.now(UTC))
    updated_at: AwareDatetime = Field(default_factory=lambda: datetime.now(UTC))

    def principal(self) -> Principal:
        return Principal(
            name=self.name,
            role=self.role,
            department=self.department,
            source=self.source,
            layout=self.layout,
        )


def check_user(user: User) -> None:
    """The rules a user record must follow; raises UserError."""
    if not NAME_PATTERN.match(user.name):
        raise UserError(
            f"invalid user name {user.name!r}: 2-32 of a-z, 0-9, '.', '_', '-', "
            "starting with a letter or digit"
        )
    if user.role is Role.DEPARTMENT and not user.department:
        raise UserError("a department user needs --department CODE")
    if user.role is not Role.DEPARTMENT and user.department:
        raise UserError("only department users have a department")
    if user.role is Role.WALL and not user.layout:
        raise UserError("a wall is bound to one layout: give --layout NAME")
    if user.role is not Role.WALL and user.layout:
        raise UserError("only walls are bound to a layout")
    if user.role is Role.SOURCE and not user.source:
        raise UserError("a source user needs --source NAME (the events' source)")
    if user.role is not Role.SOURCE and user.source:
        raise UserError("only source users have a source")


class LoginOutcome(StrEnum):
    OK = "ok"
    BAD_CREDENTIALS = "bad-credentials"
    LOCKED = "locked"
    DISABLED = "disabled"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    principal: Principal | None = None


class UserStore:
    def __init__(self, client: redis.Redis, keys: Keys, settings: AuthSettings) -> None:
        self._client = client
        self._keys = keys
        self._settings = settings
        self._hasher = PasswordHasher(
            time_cost=settings.password_time_cost, memory_cost=settings.password_memory_kib
        )
        self._dummy: str | None = None  # hashed on first need: costs as much as a real one

    # -- records -------------------------------------------------------------------------
    def get(self, name: str) -> User | None:
        raw = self._client.hget(self._keys.users, name)
        return None if raw is None else User.model_validate_json(raw)

    def all(self) -> list[User]:
        raw = self._client.hgetall(self._keys.users)
        users = [User.model_validate_json(v) for v in raw.values()]
        return sorted(users, key=lambda u: u.name)

    def _put(self, user: User) -> None:
        check_user(user)
        self._client.hset(self._keys.users, user.name, user.model_dump_json())

    def add(self, user: User, password: str | None = None) -> User:
        if self.get(user.name) is not None:
            raise UserError(f"user {user.name} exists already")
        if user.role in PASSWORD_ROLES and password is None:
            raise UserError(f"a {user.role.value} user needs a password")
        if password is not None:
            if user.role not in PASSWORD_ROLES:
                raise UserError(f"a {user.role.value} signs in with tokens, not a password")
            user = user.model_copy(update={"password_hash": self.hash_password(password)})
        self._put(user)
        return user

    def set_password(self, name: str, password: str) -> User:
        user = self._existing(name)
        if user.role not in PASSWORD_ROLES:
            raise UserError(f"{name} is a {user.role.value}: it uses tokens, not a password")
        updated = user.model_copy(
            update={"password_hash": self.hash_password(password), "updated_at": _now()}
        )
        self._put(updated)
        return updated

    def set_disabled(self, name: str, disabled: bool) -> User:
        updated = self._existing(name).model_copy(
            update={"disabled": disabled, "updated_at": _now()}
        )
        self._put(updated)
        return updated

    def principal(self, name: str) -> Principal:
        """The principal of an existing user (what its tokens and sessions stand for)."""
        return self._existing(name).principal()

    def _existing(self, name: str) -> User:
        user = self.get(name)
        if user is None:
            raise UserError(f"no user {name}")
        return user

    def hash_password(self, password: str) -> str:
        if len(password) < self._settings.password_min_length:
            raise UserError(
                f"a password needs at least {self._settings.password_min_length} characters"
            )
        return self._hasher.hash(password)

    # -- signing in ----------------------------------------------------------------------
    def locked(self, name: str) -> bool:
        return bool(self._client.exists(self._keys.lockout(name)))

    def unlock(self, name: str) -> None:
        self._client.delete(self._keys.lockout(name), self._keys.login_failures(name))

    def authenticate(self, name: str, password: str) -> LoginResult:
        """Check a name and password (slow on purpose: call it from a thread)."""
        name = name.strip().lower()[:64]
        if self.locked(name):
            return LoginResult(LoginOutcome.LOCKED)
        user = self.get(name) if NAME_PATTERN.match(name) else None
        stored = user.password_hash if user is not None else None
        if self._dummy is None:
            self._dummy = self._hasher.hash("not a password of anyone")
        try:
            self._hasher.verify(stored or self._dummy, password)
            good = stored is not None
        except (VerificationError, InvalidHashError):
            good = False
        if not good or user is None:
            return LoginResult(self._failed(name))
        if user.disabled:
            return LoginResult(LoginOutcome.DISABLED)
        self._client.delete(self._keys.login_failures(name))
        if stored is not None and self._hasher.check_needs_rehash(stored):
            self._put(user.model_copy(update={"password_hash": self._hasher.hash(password)}))
        return LoginResult(LoginOutcome.OK, user.principal())

    def _failed(self, name: str) -> LoginOutcome:
        key = self._keys.login_failures(name)
        failures = int(self._client.incr(key))
        if failures == 1:  # the window starts with the first failure (EXPIRE NX is Redis 7)
            self._client.expire(key, self._settings.lockout_window_s)
        if failures >= self._settings.lockout_failures:
            self._client.set(self._keys.lockout(name), "1", ex=self._settings.lockout_s)
            self._client.delete(key)
            return LoginOutcome.LOCKED
        return LoginOutcome.BAD_CREDENTIALS


def _now() -> datetime:
    return datetime.now(UTC)
