"""Reference data: point → grid lookups per second, and import time of 3,000 grid polygons.

    .venv/bin/python bench/refdata.py [--grids 3000] [--points 200000] [--seed 20261127]

Lookups: uniform random points over the county's bounding box (about a third fall outside
every grid), answered by ``Registry.locate`` (the bucket index) and, in the same run, by three
baselines: the skeleton's STRtree query per point, a vectorised linear scan
(``shapely.contains_xy`` over all grids per point) and a plain linear scan (prepared
``contains`` grid after grid). The slow baselines run on a sample of the points.

Import: the demo county exported to files, then planned (read, check, diff) and applied to a
Redis started for the run: the areas file alone (every level, the 3,000 grids among them),
all five kinds, and a re-import of the same files (nothing changes).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import redis
import shapely
from shapely import STRtree
from shapely.geometry import Point

from gridwall.platform.keys import Keys
from gridwall.platform.redisconn import free_port, redis_server_binary
from gridwall.refdata.export import export_registry
from gridwall.refdata.geometry import shapes
from gridwall.refdata.importing.importer import apply_plan, plan_import
from gridwall.refdata.importing.options import ImportOptions
from gridwall.refdata.model import Level
from gridwall.refdata.registry import Registry, load_registry
from gridwall.refdata.spatial import MIXED
from gridwall.sim.county import generate_county


def rate(count: int, fn: Callable[[], object], repeat: int = 3) -> float:
    """Best of ``repeat`` runs, in operations per second."""
    best = min(_timed(fn) for _ in range(repeat))
    return count / best


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench_lookups(registry: Registry, points: int, seed: int) -> None:
    grids = registry.by_level(Level.GRID)
    codes = [g.code for g in grids]
    geoms = np.asarray(shapes(grids), dtype=object)
    west, south, east, north = shapely.total_bounds(geoms)
    rng = np.random.default_rng(seed)
    xs = rng.uniform(west, east, points).tolist()
    ys = rng.uniform(south, north, points).tolist()
    pairs = list(zip(xs, ys, strict=True))
    start = time.perf_counter()
    registry.locate(xs[0], ys[0])
    build = time.perf_counter() - start
    index = registry.grid_index
    tree = STRtree(geoms)
    shapely.prepare(geoms)

    def indexed() -> None:
        for x, y in pairs:
            registry.locate(x, y)

    def strtree(sample: list[tuple[float, float]]) -> Callable[[], None]:
        def run() -> None:
            for x, y in sample:
                hits = tree.query(Point(x, y), predicate="intersects")
                min((codes[int(i)] for i in hits), default=None)

        return run

    def linear_vector(sample: list[tuple[float, float]]) -> Callable[[], None]:
        def run() -> None:
            for x, y in sample:
                hit = np.nonzero(shapely.intersects_xy(geoms, x, y))[0]
                min((codes[int(i)] for i in hit), default=None)

        return run

    def linear(sample: list[tuple[float, float]]) -> Callable[[], None]:
        def run() -> None:
            for x, y in sample:
                point = Point(x, y)
                next((c for c, g in zip(codes, geoms, strict=True) if g.intersects(point)), None)

        return run

    inside = sum(registry.locate(x, y) is not None for x, y in pairs)
    ours = rate(points, indexed)
    base_tree = rate(20_000, strtree(pairs[:20_000]))
    base_vector = rate(1000, linear_vector(pairs[:1000]), repeat=1)
    base_linear = rate(200, linear(pairs[:200]), repeat=1)
    cells = index.nx * index.ny
    pure = sum(1 for c in index.cells if c != MIXED)
    print(f"grids: {len(grids)}; points: {points:,} uniform over the bounding box "
          f"({inside / points:.0%} inside a grid)")  # fmt: skip
    print(f"index: {index.nx}×{index.ny} = {cells:,} cells, {pure / cells:.0%} answered "
          f"without a geometry test; built in {build * 1000:.0f} ms")  # fmt: skip
    print(f"  Registry.locate (bucket index)      {ours:>12,.0f} lookups/s")
    print(f"  STRtree query per point (skeleton)  {base_tree:>12,.0f} lookups/s  "
          f"(index is {ours / base_tree:.1f}×)")  # fmt: skip
    print(f"  linear, vectorised contains_xy      {base_vector:>12,.0f} lookups/s  "
          f"(index is {ours / base_vector:.0f}×)")  # fmt: skip
    print(f"  linear, prepared contains per grid  {base_linear:>12,.0f} lookups/s  "
          f"(index is {ours / base_linear:.0f}×)")  # fmt: skip


@contextmanager
def scratch_redis() -> Iterator[redis.Redis]:
    folder = tempfile.mkdtemp(prefix="gw-bench-redis-")
    port = free_port()
    binary = shutil.which("redis-server") or redis_server_binary()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", folder, "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    client = redis.Redis(port=port)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield client
    finally:
        client.close()
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


def bench_import(registry: Registry, repeat: int) -> None:
    keys = Keys(registry.county)
    folder = Path(tempfile.mkdtemp(prefix="gw-bench-county-"))
    paths = export_registry(registry, folder)
    options = ImportOptions(county=registry.county, county_name="演示区", strict_codes=True)
    areas = len(registry.areas)
    grids = len(registry.by_level(Level.GRID))
    with scratch_redis() as client:

        def once(requests: list[tuple[str, list[Path]]]) -> tuple[float, float, bool]:
            client.flushdb()
            start = time.perf_counter()
            plan = plan_import(requests, load_registry(client, keys), options)
            planned = time.perf_counter() - start
            assert plan.error_count == 0
            apply_plan(client, keys, plan)
            return planned, time.perf_counter() - start, plan.changes

        def report(label: str, requests: list[tuple[str, list[Path]]]) -> None:
            runs = [once(requests) for _ in range(repeat)]
            plan_s = statistics.median(r[0] for r in runs)
            total = statistics.median(r[1] for r in runs)
            print(
                f"  {label:<44} plan {plan_s * 1000:>6.0f} ms, plan + write {total * 1000:>6.0f} ms"
            )

        print(f"import ({areas:,} areas of which {grids:,} grids; {len(registry.cameras)} cameras, "
              f"{len(registry.workers)} workers; median of {repeat}):")  # fmt: skip
        report("areas.geojson (every level)", [("areas", [paths["areas"]])])
        everything = [(kind, [path]) for kind, path in paths.items()]
        report("all five kinds", everything)
        client.flushdb()
        first = plan_import(everything, load_registry(client, keys), options)
        apply_plan(client, keys, first)
        again = [_timed(lambda: plan_import(everything, load_registry(client, keys), options))
                 for _ in range(repeat)]  # fmt: skip
        print(f"  {'re-import of the same files (no changes)':<44} plan "
              f"{statistics.median(again) * 1000:>6.0f} ms, nothing written")  # fmt: skip
    shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--grids", type=int, default=3000)
    parser.add_argument("--points", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, shapely {shapely.__version__}")  # fmt: skip
    start = time.perf_counter()
    registry = generate_county("320115", "演示区", args.seed, grids=args.grids)
    print(f"demo county generated in {time.perf_counter() - start:.2f} s")
    bench_lookups(registry, args.points, args.seed)
    bench_import(registry, args.repeat)


if __name__ == "__main__":
    main()
