"""Users: the record rules, argon2id passwords, sign-in outcomes and the lockout."""

from __future__ import annotations

import pytest
import redis

from gridwall.access.roles import PASSWORD_ROLES, Role
from gridwall.access.users import LoginOutcome, User, UserError, UserStore
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings

PASSWORD = "correct horse battery"


@pytest.fixture
def store(r: redis.Redis, keys: Keys, settings: Settings) -> UserStore:
    return UserStore(r, keys, settings.auth)


def test_each_role_has_its_scope(store: UserStore) -> None:
    bad = [
        (User(name="Bad Name", role=Role.ADMIN), "invalid user name"),
        (User(name="roads", role=Role.DEPARTMENT), "needs --department"),
        (User(name="op", role=Role.OPERATOR, department="D1"), "only department users"),
        (User(name="lobby", role=Role.WALL), "bound to one layout"),
        (User(name="op2", role=Role.OPERATOR, layout="desk"), "only walls"),
        (User(name="feed", role=Role.SOURCE), "needs --source"),
    ]
    for user, reason in bad:
        with pytest.raises(UserError, match=reason):
            store.add(user, PASSWORD if user.role in PASSWORD_ROLES else None)
    with pytest.raises(UserError, match="needs a password"):
        store.add(User(name="op", role=Role.OPERATOR))
    with pytest.raises(UserError, match="tokens, not a password"):
        store.add(User(name="lobby", role=Role.WALL, layout="desk"), PASSWORD)
    with pytest.raises(UserError, match="at least 10"):
        store.add(User(name="op", role=Role.OPERATOR), "short")
    store.add(User(name="lobby", role=Role.WALL, layout="desk"))
    with pytest.raises(UserError, match="exists already"):
        store.add(User(name="lobby", role=Role.WALL, layout="desk"))


def test_passwords_are_argon2id_hashes(store: UserStore, r: redis.Redis, keys: Keys) -> None:
    store.add(User(name="zhang", role=Role.OPERATOR), PASSWORD)
    raw = r.hget(keys.users, "zhang")
    assert raw is not None
    assert PASSWORD.encode() not in raw
    assert b"$argon2id$" in raw
    ok = store.authenticate("Zhang ", PASSWORD)  # names are case- and space-folded
    assert ok.outcome is LoginOutcome.OK
    assert ok.principal is not None
    assert ok.principal.role is Role.OPERATOR


def test_repeated_failures_lock_a_name(store: UserStore, settings: Settings) -> None:
    store.add(User(name="zhang", role=Role.OPERATOR), PASSWORD)
    limit = settings.auth.lockout_failures
    outcomes = [store.authenticate("zhang", "wrong").outcome for _ in range(limit)]
    assert outcomes == [LoginOutcome.BAD_CREDENTIALS] * (limit - 1) + [LoginOutcome.LOCKED]
    assert store.authenticate("zhang", PASSWORD).outcome is LoginOutcome.LOCKED  # even right
    assert store.locked("zhang")
    store.unlock("zhang")
    assert store.authenticate("zhang", PASSWORD).outcome is LoginOutcome.OK


def test_unknown_names_are_answered_and_locked_like_known_ones(store: UserStore) -> None:
    assert store.authenticate("nobody", PASSWORD).outcome is LoginOutcome.BAD_CREDENTIALS
    for _ in range(10):
        store.authenticate("nobody", PASSWORD)
    assert store.locked("nobody")
    assert store.authenticate("../../x", "y").outcome is LoginOutcome.BAD_CREDENTIALS


def test_a_success_clears_the_failures(store: UserStore, settings: Settings) -> None:
    store.add(User(name="zhang", role=Role.OPERATOR), PASSWORD)
    for _ in range(settings.auth.lockout_failures - 1):
        store.authenticate("zhang", "wrong")
    assert store.authenticate("zhang", PASSWORD).outcome is LoginOutcome.OK
    assert store.authenticate("zhang", "wrong").outcome is LoginOutcome.BAD_CREDENTIALS


def test_disabled_users_and_new_passwords(store: UserStore) -> None:
    store.add(User(name="li", role=Role.LEADER), PASSWORD)
    store.set_disabled("li", True)
    assert store.authenticate("li", PASSWORD).outcome is LoginOutcome.DISABLED
    store.set_disabled("li", False)
    store.set_password("li", "another good password")
    assert store.authenticate("li", PASSWORD).outcome is LoginOutcome.BAD_CREDENTIALS
    assert store.authenticate("li", "another good password").outcome is LoginOutcome.OK
    with pytest.raises(UserError, match="no user"):
        store.set_disabled("ghost", True)
