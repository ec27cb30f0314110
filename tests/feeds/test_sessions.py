"""Sessions: signed cookies, idle and absolute timeouts, kiosk sessions tied to a token."""

from __future__ import annotations

import asyncio
import stat
from collections.abc import Awaitable, Callable

import pytest
import redis
import redis.asyncio as aredis
from pydantic import SecretStr

from gridwall.access import sessions as sessions_module
from gridwall.access.roles import Principal, Role, TokenStore, hash_token
from gridwall.access.sessions import SessionStore, end_user_sessions, load_secret, sign, unsign
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings

OPERATOR = Principal(name="zhang", role=Role.OPERATOR)


Scenario = Callable[[SessionStore], Awaitable[None]]


def scenario(settings: Settings, keys: Keys, body: Scenario) -> None:
    """Run ``body`` with a session store on one event loop (async Redis clients live in one)."""

    async def main() -> None:
        client = aredis.Redis.from_url(settings.redis_url or "")
        try:
            await body(SessionStore(client, keys, settings))
        finally:
            await client.aclose()

    asyncio.run(main())


def test_cookies_are_signed() -> None:
    secret = b"k" * 32
    value = sign(secret, "abc")
    assert unsign(secret, value) == "abc"
    assert unsign(secret, "abd" + value[3:]) is None
    assert unsign(b"other" * 8, value) is None
    assert unsign(secret, "no-signature") is None


def test_the_key_comes_from_the_environment_or_a_private_file(settings: Settings) -> None:
    key = load_secret(settings)
    path = settings.data_dir / "secret.key"
    assert path.read_bytes().strip() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret(settings) == key  # the same on every start
    from_env = settings.model_copy(
        update={"auth": settings.auth.model_copy(update={"secret_key": SecretStr("from-env")})}
    )
    assert load_secret(from_env) == b"from-env"


def test_a_session_lives_by_its_idle_timeout(
    r: redis.Redis, keys: Keys, settings: Settings
) -> None:
    async def body(store: SessionStore) -> None:
        cookie, session = await store.create(OPERATOR)
        assert await store.load(cookie) == session
        (key,) = r.keys("*auth:session:*")
        assert 0 < r.ttl(key) <= settings.auth.session_idle_s
        assert cookie.split(".")[0] not in key.decode()  # Redis holds only the id's hash
        assert await store.load(cookie[:-2] + "xx") is None
        await store.end(cookie)
        assert await store.load(cookie) is None

    scenario(settings, keys, body)


def test_a_session_ends_at_its_absolute_limit(
    r: redis.Redis, keys: Keys, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def body(store: SessionStore) -> None:
        cookie, _session = await store.create(OPERATOR)
        now = sessions_module.time.time()
        later = now + settings.auth.session_absolute_s + 1
        monkeypatch.setattr(sessions_module.time, "time", lambda: later)
        assert await store.load(cookie) is None

    scenario(settings, keys, body)


def test_a_kiosk_session_ends_with_its_token(
    r: redis.Redis, keys: Keys, settings: Settings
) -> None:
    wall = Principal(name="lobby", role=Role.WALL, layout="desk")
    tokens = TokenStore(r, keys)
    token = tokens.issue(wall)

    async def body(store: SessionStore) -> None:
        cookie, session = await store.create(wall, kiosk=hash_token(token))
        assert session.is_kiosk
        (key,) = r.keys("*auth:session:*")
        assert r.ttl(key) > settings.auth.session_idle_s  # walls run for weeks
        assert await store.alive(cookie)
        tokens.revoke(token)
        assert not await store.alive(cookie)

    scenario(settings, keys, body)


def test_a_wall_token_and_its_kiosk_session_do_not_expire(
    r: redis.Redis, keys: Keys, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wall runs for weeks: its token has no expiry, and its session, kept alive by the open
    wall asking every ``recheck_s``, outlives any person's absolute limit."""
    wall = Principal(name="lobby", role=Role.WALL, layout="desk")
    token = TokenStore(r, keys).issue(wall)
    assert r.ttl(keys.api_tokens) == -1  # no expiry on the token records

    async def body(store: SessionStore) -> None:
        cookie, _session = await store.create(wall, kiosk=hash_token(token))
        now = sessions_module.time.time()
        for day in range(1, 31):  # a month of an open wall
            later = now + day * 86_400
            monkeypatch.setattr(sessions_module.time, "time", lambda later=later: later)
            assert await store.alive(cookie), day
        assert later - now > settings.auth.session_absolute_s

    scenario(settings, keys, body)


def test_all_sessions_of_a_user_end_together(
    r: redis.Redis, keys: Keys, settings: Settings
) -> None:
    async def body(store: SessionStore) -> None:
        first, _ = await store.create(OPERATOR)
        second, _ = await store.create(OPERATOR)
        assert end_user_sessions(r, keys, "zhang") == 2
        assert await store.load(first) is None
        assert await store.load(second) is None

    scenario(settings, keys, body)
