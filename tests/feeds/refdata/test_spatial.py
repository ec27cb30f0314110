"""The bucket index answers exactly as testing every grid does, boundaries included."""

from __future__ import annotations

import numpy as np
import shapely
from shapely import STRtree

from gridwall.refdata.geometry import shapes
from gridwall.refdata.model import Level
from gridwall.refdata.registry import Registry
from gridwall.refdata.spatial import GridIndex


def naive(codes: list[str], tree: STRtree, lon: float, lat: float) -> str | None:
    hits = tree.query(shapely.Point(lon, lat), predicate="intersects")
    return min((codes[int(i)] for i in hits), default=None)


def test_the_index_agrees_with_a_scan_of_every_grid(demo_registry: Registry) -> None:
    grids = demo_registry.by_level(Level.GRID)
    codes = [g.code for g in grids]
    geoms = shapes(grids)
    tree = STRtree(geoms)
    index = GridIndex(codes, geoms)
    west, south, east, north = shapely.total_bounds(np.asarray(geoms, dtype=object))
    rng = np.random.default_rng(3)
    points = list(zip(rng.uniform(west - 0.01, east + 0.01, 20_000),
                      rng.uniform(south - 0.01, north + 0.01, 20_000), strict=True))  # fmt: skip
    # Vertices and edge midpoints lie on boundaries shared by two or three grids.
    for geom in geoms[:300]:
        ring = np.asarray(geom.exterior.coords)
        points += [tuple(p) for p in ring] + [tuple(p) for p in (ring[:-1] + ring[1:]) / 2]
    points += [(west, south), (east, north), (west, north), (east, south)]
    misses = [(x, y) for x, y in points if index.locate(x, y) != naive(codes, tree, x, y)]
    assert misses == []
    assert sum(index.locate(x, y) is not None for x, y in points) > 10_000
    xs, ys = [x for x, _ in points], [y for _, y in points]
    assert index.locate_many(xs, ys) == [index.locate(x, y) for x, y in points]


def test_an_empty_index_finds_nothing() -> None:
    assert GridIndex([], []).locate(118.8, 31.9) is None
    assert GridIndex([], []).locate_many([118.8], [31.9]) == [None]
