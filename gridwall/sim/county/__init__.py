"""A realistic demo county generated deterministically from a seed.

An irregular district near Nanjing (county code 320115 by default): 14–18 streets and towns,
200–250 communities and villages tessellating them, 1,000–3,000 grids (2,000 by default), the
departments of a district with each street/town office, the category catalogue, 600+ cameras
and a grid worker for every grid. The same seed gives the same county, byte for byte.

``gridwall export demo-county DIR`` writes it as the files ``gridwall import`` reads, and
``gridwall demo`` seeds its Redis through that path.
"""

from __future__ import annotations

import random
from pathlib import Path

import redis

from gridwall.platform.keys import Keys
from gridwall.refdata.export import export_registry
from gridwall.refdata.importing.importer import ImportPlan, apply_plan, plan_import
from gridwall.refdata.importing.options import ImportOptions, Track, no_track
from gridwall.refdata.model import Department, DepartmentKind
from gridwall.refdata.registry import Registry, load_registry
from gridwall.sim.county.catalogue import categories, county_departments
from gridwall.sim.county.county import generate_areas
from gridwall.sim.county.devices import generate_cameras, generate_workers

DEFAULT_GRIDS = 2000


def generate_county(
    county: str, county_name: str, seed: int, *, grids: int = DEFAULT_GRIDS
) -> Registry:
    """The demo county as a registry (version 0: not stored yet)."""
    rng = random.Random(seed)
    areas, streets, grid_pieces = generate_areas(rng, county, county_name, grids)
    offices = [
        Department(
            code=f"jd{s.code[6:9]}",
            name=s.name + ("办事处" if s.urban else "人民政府"),
            name_en=f"Office of {s.code[6:9]}",
            kind=DepartmentKind.STREET,
            area=s.code,
        )
        for s in streets
    ]
    cameras = generate_cameras(rng, county, grid_pieces, max(600, grids * 3 // 10))
    workers = generate_workers(rng, grid_pieces)
    return Registry(
        county,
        areas,
        categories(),
        departments=[*county_departments(county_name), *offices],
        cameras=cameras,
        workers=workers,
    )


def import_demo_county(
    client: redis.Redis,
    keys: Keys,
    folder: Path,
    *,
    county_name: str,
    seed: int,
    grids: int = DEFAULT_GRIDS,
    dry_run: bool = False,
    track: Track = no_track,
) -> tuple[ImportPlan, int | None]:
    """Generate the demo county, export it into ``folder`` and import those files.

    The import is the one ``gridwall import`` runs (strict codes on: the generator promises
    them). Returns the plan and the new version (None for a dry run or when nothing changed).
    """
    registry = generate_county(keys.county, county_name, seed, grids=grids)
    paths = export_registry(registry, folder)
    options = ImportOptions(
        county=keys.county, county_name=county_name, strict_codes=True, track=track
    )
    plan = plan_import([(k, [p]) for k, p in paths.items()], load_registry(client, keys), options)
    if dry_run or plan.blocked or not plan.changes:
        return plan, None
    return plan, apply_plan(client, keys, plan)


__all__ = ["DEFAULT_GRIDS", "generate_county", "import_demo_county"]
