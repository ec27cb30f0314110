"""The demo county's land: an irregular outline cut into cells that tile their parent exactly.

The outline is a star-shaped polygon whose radius follows a few random harmonics (a smooth,
lobed shape) plus finer ones (a ragged, river-like edge). Every level below is a Voronoi
tessellation of its parent, relaxed by Lloyd's algorithm for even cells, clipped to the parent:
the cells of a parent cover it with no gap and no overlap (up to float rounding). Seeds are
denser near the urban core, as streets, communities and grids are in a real district.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

import numpy as np
import shapely
from shapely.geometry import MultiPoint, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

Density = Callable[[float, float], float]


def outline(
    rng: random.Random, center: tuple[float, float], radius: tuple[float, float], points: int = 360
) -> Polygon:
    """An irregular, lobed county outline around ``center`` (degrees)."""
    coarse = [(k, rng.uniform(0.05, 0.13) / k**0.5, rng.uniform(0, math.tau)) for k in range(2, 7)]
    fine = [(k, rng.uniform(0.004, 0.012), rng.uniform(0, math.tau)) for k in range(9, 40, 3)]
    ring = []
    for i in range(points):
        theta = math.tau * i / points
        r = 1 + sum(a * math.sin(k * theta + phase) for k, a, phase in coarse + fine)
        r = min(1.35, max(0.7, r))
        ring.append((center[0] + radius[0] * r * math.cos(theta),
                     center[1] + radius[1] * r * math.sin(theta)))  # fmt: skip
    return Polygon(ring)


def sample(
    rng: random.Random, region: BaseGeometry, count: int, density: Density | None = None
) -> list[tuple[float, float]]:
    """``count`` random points inside ``region``, thinned by ``density`` (0–1) when given."""
    west, south, east, north = region.bounds
    shapely.prepare(region)
    found: list[tuple[float, float]] = []
    for _ in range(count * 400):
        x, y = rng.uniform(west, east), rng.uniform(south, north)
        if density is not None and rng.random() > density(x, y):
            continue
        if shapely.contains_xy(region, x, y):
            found.append((x, y))
            if len(found) == count:
                return found
    point = region.representative_point()
    while len(found) < count:  # a sliver too thin to sample: fall back on jittered label points
        found.append((point.x + rng.uniform(-1e-6, 1e-6), point.y + rng.uniform(-1e-6, 1e-6)))
    return found


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [geom] if not geom.is_empty else []
    return [p for g in getattr(geom, "geoms", ()) for p in _polygons(g)]


def _cells(region: BaseGeometry, seeds: Sequence[tuple[float, float]]) -> list[BaseGeometry]:
    if len(seeds) == 1:
        return [region]
    diagram = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=region, ordered=True)
    return list(shapely.intersection(np.asarray(diagram.geoms, dtype=object), region))


def _single(cells: list[BaseGeometry]) -> list[BaseGeometry]:
    """Give each stray piece of a multi-part cell to the neighbour it shares most border with."""
    result = [max(_polygons(c), key=lambda p: p.area) if _polygons(c) else c for c in cells]
    for i, cell in enumerate(cells):
        pieces = sorted(_polygons(cell), key=lambda p: p.area, reverse=True)[1:]
        for piece in pieces:
            shared = [
                piece.boundary.intersection(other).length if j != i else -1.0
                for j, other in enumerate(result)
            ]
            j = int(np.argmax(shared)) if max(shared) > 0 else i
            merged = result[j].union(piece)
            result[j] = merged if isinstance(merged, Polygon) else MultiPolygon(_polygons(merged))
    return result


def tessellate(
    rng: random.Random, region: BaseGeometry, count: int, relax: int = 2,
    density: Density | None = None,
) -> list[BaseGeometry]:  # fmt: skip
    """``count`` cells tiling ``region`` (fewer only when the region is too small to split)."""
    seeds = sample(rng, region, count, density)
    for _ in range(relax):
        cells = _cells(region, seeds)
        seeds = [
            (c.centroid.x, c.centroid.y) if not c.is_empty else s
            for c, s in zip(cells, seeds, strict=True)
        ]
    return [c for c in _single(_cells(region, seeds)) if not c.is_empty and c.area > 0]


def reading_order(cells: Sequence[BaseGeometry], band: float) -> list[int]:
    """Indexes of ``cells`` numbered west→east within rows of height ``band``, north→south."""
    north = max(c.bounds[3] for c in cells)

    def key(i: int) -> tuple[int, float]:
        centre = cells[i].centroid
        return int((north - centre.y) / band), centre.x

    return sorted(range(len(cells)), key=key)


def allocate(total: int, weights: Sequence[float], minimum: int) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainders), each ≥ ``minimum``."""
    spare = total - minimum * len(weights)
    if spare < 0:
        raise ValueError(f"cannot give {len(weights)} parts {minimum} each from {total}")
    scale = sum(weights)
    shares = [spare * w / scale for w in weights]
    counts = [minimum + math.floor(s) for s in shares]
    order = sorted(
        range(len(weights)), key=lambda i: shares[i] - math.floor(shares[i]), reverse=True
    )
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts
