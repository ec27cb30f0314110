"""The generated demo county: plausible, well-formed, deterministic, and tiling exactly."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
import shapely
from shapely.geometry import shape

from gridwall.refdata.codes import gb28181_reason, gb28181_type, phone_reason, strict_area_reason
from gridwall.refdata.geometry import shapes
from gridwall.refdata.importing.hierarchy import overlapping_pairs
from gridwall.refdata.model import Area, IdentityKind, Level
from gridwall.refdata.registry import Registry
from gridwall.sim.county import generate_county

COUNTY = "320115"
PARENT = {Level.STREET: Level.COUNTY, Level.COMMUNITY: Level.STREET, Level.GRID: Level.COMMUNITY}


def test_sizes_are_those_of_a_real_county(demo_registry: Registry) -> None:
    assert 12 <= len(demo_registry.by_level(Level.STREET)) <= 20
    assert 150 <= len(demo_registry.by_level(Level.COMMUNITY)) <= 300
    assert len(demo_registry.by_level(Level.GRID)) == 2000
    assert len(demo_registry.cameras) >= 500


def test_every_area_has_one_parent_one_level_up_whose_code_it_extends(
    demo_registry: Registry,
) -> None:
    for area in demo_registry.areas.values():
        reason = strict_area_reason(area.code, area.level, area.parent, COUNTY)
        assert reason is None, (area.code, reason)
        if area.level is Level.COUNTY:
            continue
        parent = demo_registry.parent(area.code)
        assert parent is not None
        assert parent.level is PARENT[area.level]


def test_streets_towns_communities_and_villages_are_numbered_by_type(
    demo_registry: Registry,
) -> None:
    streets = demo_registry.by_level(Level.STREET)
    for street in streets:
        digit = street.code[6]
        assert (digit, street.name[-2:] == "街道") in {("0", True), ("1", False)}
    assert {s.code[6] for s in streets} == {"0", "1"}
    for community in demo_registry.by_level(Level.COMMUNITY):
        number = int(community.code[9:])
        village = community.name.endswith("村")
        assert (201 <= number <= 399) if village else (1 <= number <= 199), community


def _tiles(parent: Area, children: list[Area]) -> None:
    """Children cover their parent exactly, up to the 1e-7° (1 cm) rounding of coordinates:
    what is left over or overlaps is at most a 1e-7°-wide strip along their boundaries."""
    outline = shape(parent.geometry)
    pieces = shapes(children)
    union = shapely.union_all(pieces)
    strip = 1e-7 * sum(p.length for p in pieces)
    assert outline.symmetric_difference(union).area < strip, parent.code  # no gaps, no spill
    assert sum(p.area for p in pieces) - union.area < strip, parent.code  # no overlaps


def test_children_tile_their_parent_without_gaps_or_overlaps(demo_registry: Registry) -> None:
    for area in demo_registry.areas.values():
        if area.level is not Level.GRID:
            _tiles(area, demo_registry.children(area.code))
    grids = demo_registry.by_level(Level.GRID)
    assert overlapping_pairs(shapes(grids), 1e-4) == []  # 1 % is the default tolerance


def test_grids_are_numbered_west_to_east_within_rows_north_to_south(
    demo_registry: Registry,
) -> None:
    for community in demo_registry.by_level(Level.COMMUNITY):
        grids = demo_registry.children(community.code)
        assert [g.code[12:] for g in grids] == [f"{n:03d}" for n in range(1, len(grids) + 1)]
        geoms = shapes(grids)
        band = (sum(g.area for g in geoms) / len(geoms)) ** 0.5
        north = max(g.bounds[3] for g in geoms)
        keys = [(int((north - g.centroid.y) / band), g.centroid.x) for g in geoms]
        assert keys == sorted(keys), community.code


def test_the_outline_is_irregular_and_near_nanjing(demo_registry: Registry) -> None:
    county = demo_registry.area(COUNTY)
    assert county is not None
    outline = shape(county.geometry)
    west, south, east, north = outline.bounds
    assert outline.area / ((east - west) * (north - south)) < 0.85  # not a rectangle
    assert len(outline.exterior.coords) > 100
    assert 118.5 < west < east < 119.2
    assert 31.6 < south < north < 32.2
    # The points the skeleton's tests and the sample payloads of docs/feeds.md use lie in grids.
    assert demo_registry.locate(118.80, 31.93) is not None
    assert demo_registry.locate(118.7781, 31.9520) is not None


def test_cameras_have_valid_ids_and_sit_in_their_grids(demo_registry: Registry) -> None:
    identities = [i for c in demo_registry.cameras.values() for i in c.identities]
    gb_ids = [i.value for i in identities if i.kind is IdentityKind.GB28181]
    assert len(gb_ids) >= 500
    assert len(set(gb_ids)) == len(gb_ids)
    for gb in gb_ids:
        assert gb28181_reason(gb) is None
        assert gb.startswith(COUNTY)
        assert gb28181_type(gb) in {"131", "132"}
    for camera in demo_registry.cameras.values():
        assert camera.location is not None
        assert demo_registry.locate(*camera.location) == camera.grid, camera.id
    macs = [i for i in identities if i.kind is IdentityKind.MAC]
    assert len(macs) >= 100
    assert all(re.fullmatch(r"([0-9a-f]{2}:){5}[0-9a-f]{2}/\d+", m.value) for m in macs)
    # The sample payloads of docs/feeds.md (docs/examples/) name real cameras of the demo county.
    assert demo_registry.camera_by_identity("gb28181", "32011500001320000042") is not None
    assert demo_registry.camera_by_identity("mac", "44:19:b6:00:12:7a/2") is not None
    assert demo_registry.camera_by_identity("frigate", "gate_east") is not None


def test_every_grid_has_a_worker_with_a_name_and_a_mobile(demo_registry: Registry) -> None:
    served: dict[str, list[str]] = defaultdict(list)
    for worker in demo_registry.workers.values():
        assert worker.name
        assert worker.phone is not None
        assert phone_reason(worker.phone) is None
        for grid in worker.grids:
            served[grid].append(worker.id)
    assert set(served) == {g.code for g in demo_registry.by_level(Level.GRID)}


FUNCTIONS = ("公安", "城市管理", "生态环境", "住房和城乡建设", "市场监督管理", "应急管理",
             "民政", "司法", "信访", "卫生健康", "教育", "人力资源和社会保障", "交通运输", "水务",
             "自然资源", "消防救援")  # fmt: skip


def test_departments_are_a_real_countys_with_each_street_office(demo_registry: Registry) -> None:
    names = [d.name for d in demo_registry.departments.values()]
    for function in FUNCTIONS:
        assert any(function in name for name in names), function
    offices = {d.area for d in demo_registry.departments.values() if d.kind == "street"}
    assert offices == {s.code for s in demo_registry.by_level(Level.STREET)}


def test_the_catalogue_covers_the_standard_and_social_governance(demo_registry: Registry) -> None:
    top = {c.name for c in demo_registry.categories.values() if c.parent is None}
    events = {"市容环境", "宣传广告", "施工管理", "街面秩序", "突发事件"}
    components = {"公用设施", "道路交通", "市容环境设施", "园林绿化", "房屋土地", "其他设施"}
    social = {"矛盾纠纷", "安全隐患", "治安", "特殊人群", "消防", "生态环境", "食品药品",
              "民生服务", "信访"}  # fmt: skip
    assert events | components | social <= top
    for code in ("01", "02", "03", "04", "05", "11", "12", "13", "14", "15", "16"):
        assert demo_registry.category(code) is not None  # the skeleton's classes stay
    assert demo_registry.category("12").name == "安全隐患"  # type: ignore[union-attr]
    for category in demo_registry.categories.values():
        assert category.department is not None
        assert demo_registry.department(category.department) is not None, category.code
        assert category.sla
        if category.parent is None:
            assert demo_registry.subcategories(category.code), category.code
    manhole = demo_registry.category("2101")
    assert manhole is not None
    assert (manhole.name, manhole.urgency, manhole.sla) == (
        "井盖缺失破损",
        "urgent",
        "manhole-cover",
    )


def test_the_same_seed_gives_the_same_county() -> None:
    first = generate_county(COUNTY, "演示区", 11, grids=1000)
    again = generate_county(COUNTY, "演示区", 11, grids=1000)
    other = generate_county(COUNTY, "演示区", 12, grids=1000)
    for kind in ("areas", "cameras", "workers"):
        assert again.records(kind) == first.records(kind)
    assert other.records("areas") != first.records("areas")
    assert len(first.by_level(Level.GRID)) == 1000


def test_the_grid_count_is_bounded() -> None:
    with pytest.raises(ValueError, match="1000–20000 grids"):
        generate_county(COUNTY, "演示区", 1, grids=999)
