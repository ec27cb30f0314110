"""Helpers of the feed tests: recorded payloads, a registry with cameras, feeds files."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import redis

from gridwall.engine.alarms.stage import AlarmStage
from gridwall.engine.processor.processor import Processor
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings, load_settings
from gridwall.refdata.model import Camera, CameraIdentity, IdentityKind, Level
from gridwall.refdata.registry import Registry, store_registry

HERE = Path(__file__).parent
TZ = ZoneInfo("Asia/Shanghai")

#: Cameras of the test county: (id, name, identities, group).
CAMERAS = (
    (
        "32011500001320000042",
        "东门广场",
        [("gb28181", "32011500001320000042"), ("mac", "44:19:b6:00:12:7a/2")],
        "plaza",
    ),
    (
        "32011500001320000043",
        "西门路口",
        [("ip", "10.20.3.42/1"), ("mac", "44:19:b6:00:12:7b/1")],
        "roads",
    ),
    ("32011500001320000044", "学校北门", [("frigate", "school_gate")], "schools"),
    ("32011500001320000045", "菜市场", [("ip", "127.0.0.1/1"), ("ip", "127.0.0.1/2")], None),
)


def fixture(adapter: str, name: str) -> bytes:
    return (HERE / adapter / "fixtures" / name).read_bytes()


def fixture_names(adapter: str, pattern: str = "*") -> list[str]:
    return sorted(p.name for p in (HERE / adapter / "fixtures").glob(pattern))


def with_cameras(registry: Registry) -> Registry:
    """The demo county plus the test cameras, each in a grid with a position."""
    grids = [a for a in registry.by_level(Level.GRID) if a.centroid][: len(CAMERAS)]
    cameras = [
        Camera(
            id=cam_id,
            name=name,
            identities=[CameraIdentity(kind=IdentityKind(k), value=v) for k, v in idents],
            grid=grid.code,
            location=grid.centroid,
            group=group,
        )
        for (cam_id, name, idents, group), grid in zip(CAMERAS, grids, strict=True)
    ]
    return Registry(
        registry.county,
        registry.areas.values(),
        registry.categories.values(),
        departments=registry.departments.values(),
        cameras=cameras,
    )


def store_cameras(client: redis.Redis, keys: Keys, registry: Registry) -> Registry:
    found = with_cameras(registry)
    store_registry(client, keys, found)
    return found


def feeds_settings(settings: Settings, tmp_path: Path, toml: str, **groups: object) -> Settings:
    """The test settings with a feeds file of ``toml`` and health written at once."""
    path = tmp_path / "feeds.toml"
    path.write_text(toml, encoding="utf-8")
    data = settings.model_dump()
    data["feeds"] = {**data["feeds"], "file": path, "health_flush_s": 0, **groups.pop("feeds", {})}  # type: ignore[dict-item]
    for name, values in groups.items():
        data[name] = {**data[name], **values}  # type: ignore[dict-item]
    data["demo_token"] = None
    return load_settings(overrides=data)


def processor(client: redis.Redis, settings: Settings, name: str = "feeds") -> Processor:
    keys = Keys(settings.county)
    tz = ZoneInfo(settings.timezone)
    stage = AlarmStage.from_settings(client, keys, settings)
    return Processor(client, keys, settings.processor, tz, name, alarms=stage)


def drain(client: redis.Redis, settings: Settings) -> int:
    proc = processor(client, settings)
    proc.ensure_group()
    total = 0
    while done := proc.step(block_ms=1):
        total += done
    return total


async def until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Wait for ``condition`` (polled every 20 ms) instead of a fixed sleep; fails after
    ``timeout`` seconds, saying so."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"still not true after {timeout} s")
        await asyncio.sleep(0.02)
