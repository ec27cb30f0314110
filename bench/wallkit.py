"""Shared plumbing of the wall benchmarks: a county of any size with many open incidents, the
wall server and a worker as separate processes, a steady event load, and Chromium helpers
(when every panel is filled, websocket frames, the JS heap).

Everything runs on loopback, is bounded and stops what it started, by process id.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx2 as httpx
import redis

from bench.harness import COUNTY, private_redis
from feeds.intake import Intake
from gridwall.access.roles import Principal, Role, TokenStore
from gridwall.contract.events import Action, EventIn
from gridwall.contract.inbox import new_event_id
from gridwall.engine.alarms.stage import AlarmStage
from gridwall.engine.processor.processor import Processor
from gridwall.engine.sla.clock import SlaClock
from gridwall.platform.keys import Keys
from gridwall.platform.redisconn import free_port
from gridwall.platform.settings import load_settings
from gridwall.refdata.model import Level
from gridwall.refdata.registry import Registry, store_registry
from gridwall.sim.county import generate_county

TZ = ZoneInfo("Asia/Shanghai")
CATEGORIES = ("01", "02", "03", "04", "11", "12", "13", "14", "15", "16")
TITLES = ("暴露垃圾", "占道经营", "井盖缺失", "楼道堆物", "邻里纠纷", "路灯不亮", "施工扰民")
#: Counts each filled-in check until every panel is filled (``window.gridwall.filled``).
FILLED_PROBE = """
(function poll() {
  if (window.gridwall && window.gridwall.filled && window.gridwall.filled()) {
    window.__filledAt = performance.now();
  } else { requestAnimationFrame(poll); }
})();
"""


@dataclass
class Wall:
    base: str
    client: redis.Redis
    registry: Registry
    token: str  # a kiosk token for every layout
    admin: str
    env: dict[str, str]
    server: subprocess.Popen[bytes] | None = None
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start_server(self) -> None:
        """``gridwall serve`` (the wall and the read API); its push hub loads the backlog."""
        self.server = _spawn(["serve", "--part", "wall", "--part", "api"], self.env)
        wait_healthy(self.base)

    def stop_server(self) -> None:
        if self.server is not None:
            _stop(self.server)
            self.server = None


def _spawn(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "gridwall", *command],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()


def report_event(
    rng: random.Random, registry_grids: list[tuple[str, float, float]], n: int, at: datetime
) -> EventIn:
    grid, lon, lat = rng.choice(registry_grids)
    return EventIn.model_validate(
        {
            "source": "bench",
            "source_event_id": f"b{n}-{rng.random():.12f}",
            "category": rng.choice(CATEGORIES),
            "urgency": "urgent" if rng.random() < 0.1 else "normal",
            "grid": grid,
            "location": {
                "lon": lon + rng.uniform(-0.001, 0.001),
                "lat": lat + rng.uniform(-0.001, 0.001),
            },
            "reported_at": at.isoformat(),
            "title": f"{rng.choice(TITLES)} {n}",
        }
    )


def grid_points(registry: Registry) -> list[tuple[str, float, float]]:
    return [(a.code, *a.centroid) for a in registry.by_level(Level.GRID) if a.centroid]


def drain(client: redis.Redis, keys: Keys) -> int:
    settings = load_settings(overrides={"county": COUNTY, "processor": {"block_ms": 10}})
    proc = Processor(client, keys, settings.processor, TZ, "bench-load",
                     alarms=AlarmStage.from_settings(client, keys, settings))  # fmt: skip
    proc.ensure_group()
    total = 0
    while done := proc.step(block_ms=10):
        total += done
    return total


def load_incidents(client: redis.Redis, registry: Registry, count: int, seed: int = 1) -> float:
    """``count`` open incidents straight through the intake and the processor: most reported in
    the last minutes, some half an hour ago (临期), some days ago (超期), then one SLA clock
    round so their stored states are what the wall shows. Returns the seconds it took."""
    started = time.monotonic()
    keys = Keys(COUNTY)
    intake = Intake(client, keys, TZ, 100_000)
    rng = random.Random(seed)
    grids = grid_points(registry)
    now = datetime.now(TZ)
    batch = []
    for n in range(count):
        roll = rng.random()
        ago = (timedelta(minutes=rng.uniform(0, 8)) if roll < 0.7 else
               timedelta(minutes=rng.uniform(20, 28)) if roll < 0.85 else
               timedelta(days=rng.uniform(1, 5)))  # fmt: skip
        batch.append(intake.normalize(report_event(rng, grids, n, now - ago), registry, now))
        if len(batch) == 1000:
            intake.enqueue(batch)
            batch = []
            drain(client, keys)
    if batch:
        intake.enqueue(batch)
    drain(client, keys)
    clock = SlaClock(client, keys, load_settings().sla, TZ, name="bench")
    for _round in range(50):  # catch up; thresholds keep falling due as time passes
        if clock.tick() < 100:
            break
        drain(client, keys)
    drain(client, keys)
    return time.monotonic() - started


@contextlib.contextmanager
def wall_stack(folder: Path, grids: int, *, worker: bool = False) -> Iterator[Wall]:
    """A private Redis holding a generated county of ``grids`` grids, ``gridwall serve`` and,
    when asked, a ``gridwall worker``, as separate processes."""
    with private_redis(folder) as (url, _redis_pid):
        client = redis.Redis.from_url(url)
        keys = Keys(COUNTY)
        registry = generate_county(COUNTY, "演示区", 1, grids=grids)
        store_registry(client, keys, registry)
        tokens = TokenStore(client, keys)
        token = tokens.issue(Principal(name="bench-wall", role=Role.WALL))  # every layout
        admin = tokens.issue(Principal(name="bench", role=Role.ADMIN))
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDWALL_")}
        env.update(
            {
                "REDIS_URL": url,
                "GRIDWALL_COUNTY": COUNTY,
                "GRIDWALL_DATA_DIR": str(folder / "data"),
                "GRIDWALL_HTTP__PORT": str(port),
            }
        )
        wall = Wall(f"http://127.0.0.1:{port}", client, registry, token, admin, env)
        try:
            if worker:
                wall.procs.append(_spawn(["worker"], env))
            wall.start_server()
            yield wall
        finally:
            wall.stop_server()
            for proc in wall.procs:
                _stop(proc)


def wait_healthy(base: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/api/v1/health", timeout=2).status_code in (200, 503):
                return
        time.sleep(0.2)
    raise RuntimeError("the wall server did not start")


class SteadyLoad:
    """``rate`` events a second into the inbox, half new reports and half closures of the
    oldest open incidents (so the backlog stays level), in a thread, until stopped."""

    def __init__(self, client: redis.Redis, registry: Registry, rate: float, seed: int = 2) -> None:
        self.client, self.registry, self.rate = client, registry, rate
        self.keys = Keys(COUNTY)
        self.intake = Intake(client, self.keys, TZ, 100_000)
        self.rng = random.Random(seed)
        self.grids = grid_points(registry)
        self.sent = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="steady-load", daemon=True)

    def __enter__(self) -> SteadyLoad:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def _close(self, incident_id: str, now: datetime) -> Action:
        return Action(event_id=new_event_id(), source="bench", source_event_id=new_event_id(),
                      received_at=now, incident_id=incident_id, action="close",
                      actor="bench", at=now)  # fmt: skip

    def _run(self) -> None:
        tick = 0.2
        owed = 0.0
        while not self._stop.wait(tick):
            owed += self.rate * tick
            count, owed = int(owed), owed - int(owed)
            if not count:
                continue
            now = datetime.now(TZ)
            reports = count - count // 2
            oldest = [
                i.decode() for i in self.client.zrange(self.keys.open_index, 0, count // 2 - 1)
            ]
            events = [
                self.intake.normalize(report_event(self.rng, self.grids, self.sent + n, now),
                                      self.registry, now)
                for n in range(reports)
            ] + [self._close(i, now) for i in oldest]  # fmt: skip
            self.intake.enqueue(events)
            self.sent += len(events)


class FrameCounter:
    """Sizes of the websocket frames the wall receives, read through CDP.

    Dash keeps the callback websocket in a shared worker (one per browser profile, shared by
    every screen's window), where Playwright's websocket events do not reach; a browser-level
    CDP session attaches to that worker as it starts and enables the Network domain, whose
    ``webSocketFrameReceived`` events carry each frame. Call before opening the wall."""

    def __init__(self, browser: Any) -> None:
        self.frames: list[tuple[float, int]] = []
        self._cdp = browser.new_browser_cdp_session()
        self._cdp.on("Target.receivedMessageFromTarget", self._message)
        self._cdp.on("Target.targetCreated", self._created)
        self._cdp.send("Target.setDiscoverTargets", {"discover": True})

    def _created(self, event: dict[str, Any]) -> None:
        info = event["targetInfo"]
        if info["type"] in ("shared_worker", "worker"):
            attached = self._cdp.send(
                "Target.attachToTarget", {"targetId": info["targetId"], "flatten": False}
            )
            enable = json.dumps({"id": 1, "method": "Network.enable"})
            self._cdp.send(
                "Target.sendMessageToTarget",
                {"sessionId": attached["sessionId"], "message": enable},
            )

    def _message(self, event: dict[str, Any]) -> None:
        message = json.loads(event["message"])
        if message.get("method") == "Network.webSocketFrameReceived":
            size = len(message["params"]["response"]["payloadData"].encode())
            self.frames.append((time.monotonic(), size))
