"""The demo county's areas: streets/towns, communities/villages and grids with their codes.

* Streets (街道, township digits ``0xx``) lie near the urban core in the north-west (towards
  Nanjing's old town), towns (镇, ``1xx``) around them; 12-digit codes ending ``000``.
* Communities (社区, ``001``–``199``) in streets and town seats, villages (村, ``201``–``399``)
  in the countryside (GB/T 10114 numbering); 12-digit codes under their street's 9 digits.
* Grids: 15-digit codes, the community code + a 3-digit number counted west→east within rows
  north→south. Urban communities are small and hold many grids, villages few.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from shapely.geometry.base import BaseGeometry

from gridwall.refdata.geometry import finish, make_area
from gridwall.refdata.model import Area, Level
from gridwall.sim.county.land import allocate, outline, reading_order, tessellate
from gridwall.sim.county.names import Unique, place_names

#: Centre and radii (lon, lat degrees) of the outline: a district south of Nanjing.
CENTER = (118.84, 31.92)
RADIUS = (0.21, 0.16)
#: The urban core (densest streets, communities and grids) and its spread in degrees.
CORE = (118.80, 31.98)
CORE_SPREAD = 0.075
STREETS = (14, 18)
COMMUNITIES = (200, 250)
GRIDS = (1000, 20000)  # the setting refdata.demo_grids keeps 1000–3000; benchmarks go further


def density(x: float, y: float) -> float:
    """Urban density 0.1–1: highest at the core, falling off with distance."""
    d2 = (x - CORE[0]) ** 2 + ((y - CORE[1]) * 1.2) ** 2
    return 0.1 + 0.9 * math.exp(-d2 / (2 * CORE_SPREAD**2))


@dataclass
class Piece:
    """A generated area before it becomes a record."""

    code: str
    name: str
    geom: BaseGeometry
    urban: bool


def _clean(geom: BaseGeometry) -> BaseGeometry:
    return finish(geom)[0]


def _band(geoms: list[BaseGeometry]) -> float:
    """Row height for reading order: the typical cell size."""
    return math.sqrt(sum(g.area for g in geoms) / len(geoms))


def _streets(rng: random.Random, county: str, land: BaseGeometry) -> list[Piece]:
    cells = [_clean(c) for c in tessellate(rng, land, rng.randint(*STREETS), 1, density)]
    by_density = sorted(range(len(cells)), key=lambda i: -density(*_xy(cells[i])))
    urban_count = min(len(cells) - 4, max(4, sum(density(*_xy(c)) > 0.4 for c in cells)))
    urban = set(by_density[:urban_count])
    names = place_names(rng, len(cells))
    pieces: list[Piece] = []
    numbers = {True: 1, False: 101}
    for i in reading_order(cells, _band(cells)):
        is_urban = i in urban
        number = numbers[is_urban]
        numbers[is_urban] += 1
        suffix = "街道" if is_urban else "镇"
        pieces.append(Piece(f"{county}{number:03d}000", names[i] + suffix, cells[i], is_urban))
    return pieces


def _xy(geom: BaseGeometry) -> tuple[float, float]:
    point = geom.centroid
    return point.x, point.y


def _communities(rng: random.Random, street: Piece, count: int, names: Unique) -> list[Piece]:
    cells = [_clean(c) for c in tessellate(rng, street.geom, count)]
    seat = min(
        range(len(cells)), key=lambda i: cells[i].distance(street.geom.representative_point())
    )
    pieces: list[Piece] = []
    numbers = {True: 1, False: 201}
    for i in reading_order(cells, _band(cells)):
        d = density(*_xy(cells[i]))
        is_urban = d > 0.25 if street.urban else (i == seat or d > 0.55)
        number = numbers[is_urban]
        numbers[is_urban] += 1
        code = f"{street.code[:9]}{number:03d}"
        pieces.append(Piece(code, names.community(village=not is_urban), cells[i], is_urban))
    return pieces


def _grids(rng: random.Random, community: Piece, count: int) -> list[Piece]:
    cells = [_clean(c) for c in tessellate(rng, community.geom, count)]
    return [
        Piece(f"{community.code}{n:03d}", f"{community.name}第{n}网格", cells[i], community.urban)
        for n, i in enumerate(reading_order(cells, _band(cells)), start=1)
    ]


def generate_areas(
    rng: random.Random, county: str, county_name: str, grids: int
) -> tuple[list[Area], list[Piece], list[Piece]]:
    """The county's areas, and its streets and grids as pieces (for offices and devices)."""
    if not GRIDS[0] <= grids <= GRIDS[1]:
        raise ValueError(f"the demo county has {GRIDS[0]}–{GRIDS[1]} grids, not {grids}")
    land = _clean(outline(rng, CENTER, RADIUS))
    areas = [make_area(county, county_name, Level.COUNTY, None, land)]
    streets = _streets(rng, county, land)
    weights = [s.geom.area * (0.3 + 4 * density(*_xy(s.geom))) for s in streets]
    per_street = allocate(rng.randint(*COMMUNITIES), weights, 5)
    names = Unique(rng)
    communities: list[Piece] = []
    for street, count in zip(streets, per_street, strict=True):
        areas.append(make_area(street.code, street.name, Level.STREET, county, street.geom))
        found = _communities(rng, street, count, names)
        communities += found
        for c in found:
            areas.append(make_area(c.code, c.name, Level.COMMUNITY, street.code, c.geom))
    weights = [c.geom.area * (0.15 + 6 * density(*_xy(c.geom)) ** 2) for c in communities]
    all_grids: list[Piece] = []
    for community, count in zip(communities, allocate(grids, weights, 2), strict=True):
        for grid in _grids(rng, community, count):
            all_grids.append(grid)
            areas.append(make_area(grid.code, grid.name, Level.GRID, community.code, grid.geom))
    return areas, streets, all_grids
