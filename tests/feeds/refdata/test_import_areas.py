"""Areas import: every validation error with its place and reason, repairs, CRS, mapping."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import shape

from gridwall.contract.events import Crs
from gridwall.contract.geo import from_wgs84
from gridwall.refdata.geometry import clean_geometry
from gridwall.refdata.importing.importer import ImportPlan, plan_import
from gridwall.refdata.importing.options import ImportOptions
from gridwall.refdata.importing.problems import Severity
from gridwall.refdata.importing.table import TableError
from gridwall.refdata.model import Level
from gridwall.refdata.registry import Registry
from tests.feeds.refdata.tiny import COUNTY, box, feature, features, write

EMPTY = Registry(COUNTY, [], [])
Features = list[dict[str, Any]]


def plan(tmp_path: Path, items: Features, current: Registry = EMPTY, **options: Any) -> ImportPlan:
    path = write(tmp_path / "areas.geojson", items)
    opts = ImportOptions(county=COUNTY, county_name="演示区", **options)
    return plan_import([("areas", [path])], current, opts)


def problems(result: ImportPlan, severity: Severity = Severity.ERROR) -> list[str]:
    return [str(p) for k in result.kinds for p in k.problems.items if p.severity is severity]


def test_a_valid_county_imports_without_problems(tmp_path: Path) -> None:
    result = plan(tmp_path, features(), strict_codes=True)
    assert problems(result) == []
    assert problems(result, Severity.WARNING) == []
    registry = result.registry(EMPTY)
    assert len(registry.by_level(Level.GRID)) == 6
    county = registry.area(COUNTY)
    assert county is not None  # synthesized from the streets
    assert shape(county.geometry).area == pytest.approx(0.01, rel=1e-9)
    assert registry.locate(118.71, 31.89) == "320115001001001"
    assert registry.path("320115101201002").street == "320115101000"
    assert result.kinds[0].diff.counts()["added"] == 12


def _set(index: int, **props: Any) -> Callable[[Features], None]:
    def change(items: Features) -> None:
        items[index]["properties"].update(props)

    return change


def _geometry(index: int, geometry: Any) -> Callable[[Features], None]:
    def change(items: Features) -> None:
        items[index]["geometry"] = geometry

    return change


def _append(item: dict[str, Any]) -> Callable[[Features], None]:
    return lambda items: items.append(item)


ERRORS = [
    (_set(5, code=""), "feature 6", "code: no code"),
    (_set(5, name=None), "feature 6", "name: no name"),
    (_set(5, level="block"), "feature 6", "level: unknown level 'block'"),
    (_set(5, code="32011500100A001"), "feature 6", "code: code must be 6 to 24 digits"),
    (
        _geometry(5, {"type": "LineString", "coordinates": [[118.7, 31.8], [118.8, 31.9]]}),
        "feature 6",
        "geometry: expected a Polygon or MultiPolygon, got LineString",
    ),
    (
        _geometry(5, box(506000, 3530000, 507000, 3531000)),
        "feature 6",
        "geometry: coordinates are not longitude/latitude in degrees",
    ),
    (
        _geometry(5, {"type": "Polygon", "coordinates": [[[118.7, 31.8], [118.71, 31.8]]]}),
        "feature 6",
        "a polygon ring needs at least 3 distinct points",
    ),
    (
        _geometry(
            5,
            {
                "type": "Polygon",
                "coordinates": [[[118.7, 31.8], [118.7, 31.85], [118.7, 31.9], [118.7, 31.8]]],
            },
        ),
        "feature 6",
        "invalid polygon that cannot be repaired",
    ),
    (_append(copy.deepcopy(features()[5])), "feature 12", "code: duplicate code (also feature 6)"),
    (
        _set(5, parent="320115001000"),
        "feature 6",
        "parent 320115001000 is a street/town; a grid belongs to a community/village",
    ),
    (_set(5, parent="320115001009"), "feature 6", "parent: unknown parent 320115001009"),
    (_set(5, parent=None), "feature 6", "no parent code: a grid needs its community"),
    (
        _append(feature("320116", "别县", "county", None, box(118.7, 31.8, 118.8, 31.9))),
        "feature 12",
        "this install serves county 320115",
    ),
    (
        _append(
            feature(
                "320115001001003", "叠", "grid", "320115001001", box(118.70, 31.85, 118.7125, 31.90)
            )
        ),
        "feature 12",
        "overlaps 320115001001001 (feature 6) by 100.0% of the smaller area (tolerance 1.0%)",
    ),
]


@pytest.mark.parametrize(("change", "where", "reason"), ERRORS)
def test_each_error_names_its_feature_and_reason(
    tmp_path: Path, change: Callable[[Features], None], where: str, reason: str
) -> None:
    items = features()
    change(items)
    result = plan(tmp_path, items)
    found = [p for p in problems(result) if f": {where} " in p or f": {where}:" in p]
    assert any(reason in p for p in found), problems(result)
    assert result.blocked


def test_all_errors_are_reported_at_once(tmp_path: Path) -> None:
    items = features()
    items[5]["properties"]["name"] = ""
    items[6]["properties"]["level"] = "block"
    items[7]["geometry"] = box(506000, 3530000, 507000, 3531000)
    items[8]["properties"]["parent"] = "320115001009"
    items[9]["properties"]["code"] = "x"
    items.append(copy.deepcopy(items[10]))
    result = plan(tmp_path, items)
    wheres = {p.where for p in result.kinds[0].problems.errors}
    assert wheres == {f"feature {n}" for n in (6, 7, 8, 9, 10, 12)}


def test_a_rejected_parent_rejects_its_children(tmp_path: Path) -> None:
    items = features()
    items[2]["properties"]["name"] = ""  # community 320115001001
    found = problems(plan(tmp_path, items))
    for grid in ("320115001001001", "320115001001002"):
        assert any(grid in p and "its parent 320115001001 (feature 3) was rejected" in p
                   for p in found)  # fmt: skip


def test_strict_codes_check_the_12_and_15_digit_forms(tmp_path: Path) -> None:
    items = features()
    items[5]["properties"]["code"] = "32011500100101"  # 14 digits
    items[4]["properties"]["code"] = "320115001201"  # a village not under its town 101
    for grid in items[9:]:
        grid["properties"]["parent"] = "320115001201"
    items[1]["properties"]["code"] = "320115101001"  # a town code not ending in 000
    items[4]["properties"]["parent"] = "320115101001"
    assert problems(plan(tmp_path, items)) == []  # any digits are fine without strict codes
    found = problems(plan(tmp_path, items, strict_codes=True))
    assert any("a grid code has 15 digits" in p for p in found)
    assert any("a street/town code has 12 digits: 320115 + 3 township digits + 000" in p
               for p in found)  # fmt: skip
    assert any("a community code starts with its street's 9 digits" in p for p in found)


def test_repairable_geometries_are_repaired_and_reported(tmp_path: Path) -> None:
    items = features()
    ring = items[5]["geometry"]["coordinates"][0]
    items[5]["geometry"]["coordinates"][0] = ring[:-1]  # unclosed
    w, s, e, n = 118.725, 31.85, 118.75, 31.90
    items[6]["geometry"] = {"type": "Polygon",  # a bow-tie: the ring crosses itself
                            "coordinates": [[[w, s], [e, n], [e, s], [w, n], [w, s]]]}  # fmt: skip
    result = plan(tmp_path, items)
    assert problems(result) == []
    repaired = problems(result, Severity.REPAIRED)
    assert any("feature 6" in p and "closed an unclosed ring" in p for p in repaired)
    assert any("feature 7" in p and "repaired an invalid polygon (Self-intersection" in p
               for p in repaired)  # fmt: skip
    registry = result.registry(EMPTY)
    assert registry.area("320115001001002").geometry["type"] == "MultiPolygon"
    # The gap the bow-tie leaves in its community is a warning, not an error.
    assert any("not covered by its 2 children" in p for p in problems(result, Severity.WARNING))


def test_small_overlaps_within_the_tolerance_pass(tmp_path: Path) -> None:
    items = features()
    items[5]["geometry"] = box(118.70, 31.85, 118.7252, 31.90)  # 0.8 % into its neighbour
    assert problems(plan(tmp_path, items)) == []
    assert any("overlaps" in p for p in problems(plan(tmp_path, items, overlap_tolerance=0.005)))


def test_an_area_outside_its_parent_is_a_warning(tmp_path: Path) -> None:
    items = features()
    items[9]["geometry"] = box(118.75, 31.80, 118.775, 31.95)  # pokes out north of its village
    result = plan(tmp_path, items)
    assert problems(result) == []
    assert any("320115101201001" in p and "lies outside its parent 320115101201" in p
               for p in problems(result, Severity.WARNING))  # fmt: skip


def test_gcj02_and_bd09_polygons_are_stored_as_wgs84(tmp_path: Path) -> None:
    for crs in ("gcj02", "bd09"):
        items = features()
        for item in items:
            ring = item["geometry"]["coordinates"][0]
            item["geometry"]["coordinates"][0] = [list(from_wgs84(x, y, crs)) for x, y in ring]
        registry = plan(tmp_path, items, crs=crs).registry(EMPTY)
        stored = registry.area("320115001001001").geometry["coordinates"][0]
        assert stored[0] == pytest.approx([118.70, 31.85], abs=1e-7)
        assert stored[2] == pytest.approx([118.725, 31.90], abs=1e-7)


def test_a_published_gcj02_point_lands_on_its_wgs84_pair() -> None:
    # eviltransform's Shanghai pair: GCJ-02 (121.531541859215, 31.17530398364597)
    # is WGS-84 (121.5272106, 31.1774276).
    x, y = 121.531541859215, 31.17530398364597
    geom, _ = clean_geometry(box(x, y, x + 0.01, y + 0.01), Crs.GCJ02)
    assert geom.exterior.coords[0] == pytest.approx((121.5272106, 31.1774276), abs=1e-7)


def test_a_projected_crs_declaration_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "a.geojson", features(),
                 crs={"type": "name", "properties": {"name": "EPSG:4547"}})  # fmt: skip
    result = plan_import([("areas", [path])], EMPTY, ImportOptions(county=COUNTY))
    assert any("declared crs" in p and "not longitude/latitude" in p for p in problems(result))


def test_not_geojson_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "a.geojson"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(TableError, match=r"a\.geojson: not a readable GeoJSON file"):
        plan_import([("areas", [path])], EMPTY, ImportOptions(county=COUNTY))


def test_property_names_can_be_mapped(tmp_path: Path) -> None:
    items = features()
    for item in items:
        p = item["properties"]
        item["properties"] = {"WGBM": p["code"], "WGMC": p["name"], "CJ": p["level"],
                              "SJBM": p["parent"]}  # fmt: skip
    mapping = {"code": "WGBM", "name": "WGMC", "level": "CJ", "parent": "SJBM"}
    assert problems(plan(tmp_path, items, mapping=mapping)) == []
    found = problems(plan(tmp_path, items, mapping={"colour": "X"}))
    assert any("no property 'colour' to map" in p for p in found)


def test_one_level_can_be_reimported_alone(tmp_path: Path) -> None:
    first = plan(tmp_path, features()).registry(EMPTY)
    grids = [f for f in features() if f["properties"]["level"] == "grid"]
    for grid in grids:
        del grid["properties"]["level"]  # the level comes from --level
    grids[0]["properties"]["name"] = "北一"
    result = plan(tmp_path, grids[:-1], first, level=Level.GRID)
    assert problems(result) == []
    diff = result.kinds[0].diff
    assert diff.changed == {"320115001001001": ["name"]}
    assert diff.removed == ["320115101201002"]  # only grids are replaced
    assert not diff.added
