"""What access control costs per request, and what one password check costs.

Run by hand (needs a redis-server on PATH): ``.venv/bin/python bench/access_overhead.py``.

Measures, in one run on this machine, the mean time of ``GET /api/v1/categories`` through the
whole ASGI app in-process (httpx's ASGI transport, no network):

* baseline: the app without the guard middleware and with ``enforce_policy`` switched off,
  authenticated the skeleton's way (one bearer lookup in the route's dependency);
* bearer: the full app, bearer token;
* session: the full app, a signed session cookie (one GET and one EXPIRE on Redis);

and the time of one argon2id verification at the default and at the test strength.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import httpx2 as httpx
from argon2 import PasswordHasher

from gridwall.access.roles import Principal, Role, TokenStore
from gridwall.access.sessions import SESSION_COOKIE
from gridwall.platform.keys import Keys
from gridwall.platform.redisconn import connect, free_port
from gridwall.platform.settings import load_settings
from gridwall.processes.server import create_app
from gridwall.refdata.registry import store_registry
from gridwall.sim.county import generate_county
from gridwall.web.guard import Guard
from gridwall.web.policy import enforce_policy

N = 2000


async def timed(client: httpx.AsyncClient, headers: dict[str, str]) -> float:
    for _ in range(50):  # warm up
        assert (await client.get("/api/v1/categories", headers=headers)).status_code == 200
    start = time.perf_counter()
    for _ in range(N):
        await client.get("/api/v1/categories", headers=headers)
    return (time.perf_counter() - start) / N * 1e6


async def main(url: str, data_dir: Path) -> None:
    settings = load_settings(overrides={"redis_url": url, "data_dir": data_dir})
    client = connect(url)
    keys = Keys(settings.county)
    store_registry(client, keys, generate_county(settings.county, "演示区", 1))
    token = TokenStore(client, keys).issue(Principal(name="b", role=Role.ADMIN))
    bearer = {"Authorization": f"Bearer {token}"}

    base = create_app(settings, url, parts=("api",))
    base.user_middleware = [m for m in base.user_middleware if m.cls is not Guard]
    base.dependency_overrides[enforce_policy] = lambda: None
    full = create_app(settings, url, parts=("api",))
    results: dict[str, float] = {}
    for name, app, headers in (("baseline", base, bearer), ("bearer", full, bearer)):
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c,
        ):
            results[name] = await timed(c, headers)
    async with (
        full.router.lifespan_context(full),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=full), base_url="http://t") as c,
    ):
        cookie, _ = await full.state.sessions.create(Principal(name="s", role=Role.OPERATOR))
        c.cookies.set(SESSION_COOKIE, cookie)
        results["session"] = await timed(c, {})
    for name, micros in results.items():
        ratio = micros / results["baseline"]
        print(f"{name:<9} {micros:8.0f} µs/request  ×{ratio:.2f} of baseline")
    for label, hasher in (
        ("argon2id default (t=3, m=64 MiB)", PasswordHasher()),
        ("argon2id tests (t=1, m=1 MiB)", PasswordHasher(time_cost=1, memory_cost=1024)),
    ):
        digest = hasher.hash("correct horse battery")
        start = time.perf_counter()
        for _ in range(10):
            hasher.verify(digest, "correct horse battery")
        print(f"{label}: {(time.perf_counter() - start) / 10 * 1000:.0f} ms per verification")


if __name__ == "__main__":
    folder = Path(tempfile.mkdtemp())
    port = free_port()
    server = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--port", str(port), "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.5)
        asyncio.run(main(f"redis://127.0.0.1:{port}/0", folder))
    finally:
        server.terminate()
        server.wait()
