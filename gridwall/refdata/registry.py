"""The registry: the one reader of reference data.

Loaded from Redis once per process and cached; ``RegistryCache.get()`` reloads when the
reference-data version changes (checked at most every ``check_s`` seconds). The map, the
processor and the feeds navigate the hierarchy, locate points and look up categories here;
nothing else reads reference keys.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence

import redis
from shapely.geometry import shape

from gridwall.contract.events import AreaPath
from gridwall.platform.keys import Keys
from gridwall.refdata.model import (
    Area,
    Camera,
    Category,
    Department,
    IdentityKind,
    Level,
    Record,
    Worker,
    identity_key,
)
from gridwall.refdata.spatial import GridIndex

#: Stored kinds of reference data: hash name → record type.
KINDS: dict[str, type[Record]] = {
    "areas": Area,
    "categories": Category,
    "departments": Department,
    "cameras": Camera,
    "workers": Worker,
}


class Registry:
    """An immutable snapshot of the reference data of one county."""

    def __init__(
        self,
        county: str,
        areas: Iterable[Area],
        categories: Iterable[Category],
        version: int = 0,
        *,
        departments: Iterable[Department] = (),
        cameras: Iterable[Camera] = (),
        workers: Iterable[Worker] = (),
    ) -> None:
        self.county = county
        self.version = version
        self.areas: dict[str, Area] = {a.code: a for a in areas}
        self.categories: dict[str, Category] = {c.code: c for c in categories}
        self.departments: dict[str, Department] = {d.code: d for d in departments}
        self.cameras: dict[str, Camera] = {c.id: c for c in cameras}
        self.workers: dict[str, Worker] = {w.id: w for w in workers}
        self._identities: dict[str, str] = {
            identity_key(i.kind, i.value): camera.id
            for camera in self.cameras.values()
            for i in camera.identities
        }
        self._children: dict[str, list[str]] = {}
        for area in self.areas.values():
            if area.parent is not None:
                self._children.setdefault(area.parent, []).append(area.code)
        for codes in self._children.values():
            codes.sort()
        self._index: GridIndex | None = None  # built on the first locate()
        self._cameras_by_grid: dict[str, list[str]] = {}
        for camera in sorted(self.cameras.values(), key=lambda c: c.id):
            if camera.grid is not None:
                self._cameras_by_grid.setdefault(camera.grid, []).append(camera.id)
        self._workers_by_grid: dict[str, list[str]] = {}
        for worker in sorted(self.workers.values(), key=lambda w: w.id):
            for grid in worker.grids:
                self._workers_by_grid.setdefault(grid, []).append(worker.id)

    # -- hierarchy -------------------------------------------------------------------------
    def area(self, code: str) -> Area | None:
        return self.areas.get(code)

    def parent(self, code: str) -> Area | None:
        area = self.areas.get(code)
        return None if area is None or area.parent is None else self.areas.get(area.parent)

    def children(self, code: str) -> list[Area]:
        return [self.areas[c] for c in self._children.get(code, [])]

    def ancestors(self, code: str) -> list[Area]:
        """Parent first, up to the county."""
        found: list[Area] = []
        current = self.parent(code)
        while current is not None:
            found.append(current)
            current = self.parent(current.code)
        return found

    def descendants(self, code: str) -> list[Area]:
        found: list[Area] = []
        stack = list(reversed(self._children.get(code, [])))
        while stack:
            current = stack.pop()
            found.append(self.areas[current])
            stack.extend(reversed(self._children.get(current, [])))
        return found

    def by_level(self, level: Level | str) -> list[Area]:
        level = Level(level)
        return sorted((a for a in self.areas.values() if a.level is level), key=lambda a: a.code)

    def path(self, grid: str | None) -> AreaPath:
        """The grid and its ancestors as stored on events and incidents."""
        path = AreaPath(county=self.county, grid=grid)
        if grid is None:
            return path
        found = {a.level: a.code for a in self.ancestors(grid)}
        return path.model_copy(
            update={
                "community": found.get(Level.COMMUNITY),
                "street": found.get(Level.STREET),
            }
        )

    def grids_in(self, code: str) -> list[str]:
        """Codes of the grids in an area (the area itself when it is a grid)."""
        area = self.areas.get(code)
        if area is None:
            return []
        if area.level is Level.GRID:
            return [code]
        return [a.code for a in self.descendants(code) if a.level is Level.GRID]

    # -- space -----------------------------------------------------------------------------
    @property
    def grid_index(self) -> GridIndex:
        """The spatial index of the grids (built on first use)."""
        if self._index is None:
            grids = [a for a in self.areas.values() if a.level is Level.GRID and a.geometry]
            self._index = GridIndex([a.code for a in grids], [shape(a.geometry) for a in grids])
        return self._index

    def locate(self, lon: float, lat: float) -> str | None:
        """The grid containing a WGS-84 point, or None outside every grid.

        A point on a boundary shared by several grids goes to the smallest code.
        """
        return self.grid_index.locate(lon, lat)

    def locate_many(self, lons: Sequence[float], lats: Sequence[float]) -> list[str | None]:
        """``locate`` for a batch of points in one vectorised pass (same answers)."""
        return self.grid_index.locate_many(lons, lats)

    # -- catalogue, departments, devices ------------------------------------------------------
    def category(self, code: str) -> Category | None:
        return self.categories.get(code)

    def department(self, code: str) -> Department | None:
        return self.departments.get(code)

    def camera(self, camera_id: str) -> Camera | None:
        return self.cameras.get(camera_id)

    def camera_by_identity(self, kind: IdentityKind | str, value: str) -> Camera | None:
        """The camera a device identity (GB id, MAC/channel, IP/channel, Frigate name) names."""
        camera_id = self._identities.get(identity_key(kind, value))
        return None if camera_id is None else self.cameras.get(camera_id)

    def cameras_in(self, code: str) -> list[Camera]:
        """Cameras placed in an area's grids, by id."""
        return [
            self.cameras[c] for g in self.grids_in(code) for c in self._cameras_by_grid.get(g, [])
        ]

    def workers_in(self, code: str) -> list[Worker]:
        """Grid workers serving any grid of an area, by id, each once."""
        ids = {w for g in self.grids_in(code) for w in self._workers_by_grid.get(g, [])}
        return [self.workers[w] for w in sorted(ids)]

    def subcategories(self, code: str) -> list[Category]:
        """The categories whose parent class is ``code``, by code."""
        return sorted(
            (c for c in self.categories.values() if c.parent == code), key=lambda c: c.code
        )

    def records(self, kind: str) -> dict[str, Record]:
        """The records of one stored kind, by code or id."""
        stored: dict[str, dict[str, Record]] = {
            "areas": dict(self.areas),
            "categories": dict(self.categories),
            "departments": dict(self.departments),
            "cameras": dict(self.cameras),
            "workers": dict(self.workers),
        }
        return stored[kind]


def load_registry(client: redis.Redis, keys: Keys) -> Registry:
    """Read one consistent snapshot of the reference data."""
    pipe = client.pipeline(transaction=True)
    pipe.get(keys.ref_version)
    for kind in KINDS:
        pipe.hvals(keys.ref(kind))
    version, *stored = pipe.execute()
    loaded = {
        kind: [model.model_validate_json(raw) for raw in rows]
        for (kind, model), rows in zip(KINDS.items(), stored, strict=True)
    }
    return Registry(
        keys.county,
        loaded["areas"],  # type: ignore[arg-type]
        loaded["categories"],  # type: ignore[arg-type]
        int(version or 0),
        departments=loaded["departments"],  # type: ignore[arg-type]
        cameras=loaded["cameras"],  # type: ignore[arg-type]
        workers=loaded["workers"],  # type: ignore[arg-type]
    )


def store_registry(client: redis.Redis, keys: Keys, registry: Registry) -> int:
    """Replace the stored reference data by ``registry``; returns the new version."""
    pipe = client.pipeline(transaction=True)
    pipe.delete(*(keys.ref(kind) for kind in KINDS))
    for kind in KINDS:
        records = registry.records(kind)
        if records:
            pipe.hset(
                keys.ref(kind),
                mapping={code: record.model_dump_json() for code, record in records.items()},
            )
    pipe.incr(keys.ref_version)
    return int(pipe.execute()[-1])


class RegistryCache:
    """Per-process cache of the registry, refreshed when the stored version changes."""

    def __init__(self, client: redis.Redis, keys: Keys, check_s: float = 5.0) -> None:
        self._client = client
        self._keys = keys
        self._check_s = check_s
        self._lock = threading.Lock()
        self._registry: Registry | None = None
        self._checked = 0.0

    def get(self) -> Registry:
        now = time.monotonic()
        with self._lock:
            if self._registry is not None and now - self._checked < self._check_s:
                return self._registry
            self._checked = now
            stored = int(self._client.get(self._keys.ref_version) or 0)
            if self._registry is None or self._registry.version != stored:
                self._registry = load_registry(self._client, self._keys)
            return self._registry

    def invalidate(self) -> None:
        with self._lock:
            self._checked = 0.0


def registry_summary(registry: Registry) -> dict[str, object]:
    """Version and counts per kind and level (``GET /api/v1/refdata``)."""
    levels = {level.value: len(registry.by_level(level)) for level in Level}
    return {
        "version": registry.version,
        "areas": levels,
        **{kind: len(registry.records(kind)) for kind in KINDS if kind != "areas"},
    }
