"""``gridwall users``, ``gridwall privacy purge`` and ``gridwall audit``: one clear line each,
every change audited."""

from __future__ import annotations

import pytest
import redis
from click.testing import CliRunner, Result

from gridwall.access.audit import AuditQuery, read_audit
from gridwall.access.roles import Role, TokenStore
from gridwall.access.users import LoginOutcome, UserStore
from gridwall.cli import cli
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.refdata.registry import Registry

PASSWORD = "correct horse battery"


class Gw:
    """``gridwall`` on the test Redis, with a data folder of the test's own."""

    def __init__(self, settings: Settings) -> None:
        self.runner = CliRunner(env={"REDIS_URL": settings.redis_url or ""})
        self.data_dir = str(settings.data_dir)

    def __call__(self, *args: str, stdin: str | None = None) -> Result:
        return self.runner.invoke(cli, ["--data-dir", self.data_dir, *args], input=stdin)


@pytest.fixture
def gw(settings: Settings, seeded: Registry, r: redis.Redis) -> Gw:
    return Gw(settings)


def test_people_and_walls(gw: Gw, r: redis.Redis, keys: Keys, settings: Settings) -> None:
    added = gw("users", "add", "zhang", "--role", "operator", "--password-stdin", stdin=PASSWORD)
    assert added.exit_code == 0, added.output
    assert "user zhang added (operator)" in added.output
    store = UserStore(r, keys, settings.auth)
    assert store.authenticate("zhang", PASSWORD).outcome is LoginOutcome.OK
    wall = gw("users", "add", "lobby", "--role", "wall", "--layout", "desk")
    assert wall.exit_code == 0, wall.output
    nowhere = gw("users", "add", "x", "--role", "wall", "--layout", "nowhere")
    assert nowhere.exit_code == 1
    assert "no layout named 'nowhere'" in nowhere.output
    dept = gw("users", "add", "roads", "--role", "department", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert dept.exit_code == 1
    assert "needs --department" in dept.output
    feed = gw("users", "add", "hotline", "--role", "source")
    assert feed.exit_code == 2
    assert "gridwall sources token issue SOURCE" in feed.output
    short = gw("users", "add", "li", "--role", "leader", "--password-stdin", stdin="short")
    assert "at least 10 characters" in short.output
    token = gw("users", "token", "lobby", "--label", "hall screen")
    assert token.exit_code == 0, token.output
    issued = token.stdout.strip()
    assert TokenStore(r, keys).lookup(issued) is not None
    assert f"kiosk link: /wall/desk?token={issued}" in token.stderr
    listing = gw("users", "list")
    assert "lobby" in listing.output
    assert "desk" in listing.output
    (token_id,) = [line.split()[0] for line in gw("users", "tokens", "lobby").output.splitlines()]
    revoked = gw("users", "revoke", "lobby", token_id)
    assert revoked.exit_code == 0
    assert TokenStore(r, keys).lookup(issued) is None
    actions = {e.action for e in read_audit(r, keys, AuditQuery(limit=100))[0]}
    assert {"user-added", "token-issued", "token-revoked"} <= actions
    (entry, *_), _ = read_audit(r, keys, AuditQuery(action="user-added"))
    assert entry.actor.startswith("cli:")


def test_disable_passwd_and_unlock(gw: Gw, r: redis.Redis, keys: Keys, settings: Settings) -> None:
    gw("users", "add", "li", "--role", "leader", "--password-stdin", stdin=PASSWORD)
    token = gw("users", "token", "li").stdout.strip()
    disabled = gw("users", "disable", "li")
    assert "1 tokens revoked" in disabled.output
    assert TokenStore(r, keys).lookup(token) is None
    assert gw("users", "token", "li").exit_code == 1  # a disabled user gets none
    gw("users", "enable", "li")
    store = UserStore(r, keys, settings.auth)
    for _ in range(settings.auth.lockout_failures):
        store.authenticate("li", "wrong")
    assert store.locked("li")
    changed = gw("users", "passwd", "li", "--password-stdin", stdin="a brand new password")
    assert changed.exit_code == 0, changed.output
    assert not store.locked("li")
    assert store.authenticate("li", "a brand new password").outcome is LoginOutcome.OK
    assert gw("users", "passwd", "ghost", "--password-stdin", stdin=PASSWORD).exit_code == 1
    assert store.get("li") is not None
    assert store.get("li").role is Role.LEADER  # type: ignore[union-attr]


def test_purge_and_audit_by_hand(gw: Gw) -> None:
    purged = gw("privacy", "purge")
    assert purged.exit_code == 0, purged.output
    assert "personal data of 0 closed cases purged" in purged.output
    archived = gw("audit", "archive")
    assert archived.exit_code == 0, archived.output
    shown = gw("audit", "show", "--limit", "5")
    assert shown.exit_code == 0
