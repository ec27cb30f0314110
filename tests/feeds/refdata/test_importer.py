"""Importing into Redis: round trip, idempotence, versions and log, partial, conflicts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import redis

from gridwall.contract.events import Crs
from gridwall.platform.keys import Keys
from gridwall.refdata.export import FILES, export_registry, write_cameras
from gridwall.refdata.importing.importer import ImportConflict, apply_plan, plan_import
from gridwall.refdata.importing.options import ImportOptions
from gridwall.refdata.registry import KINDS, Registry, load_registry
from gridwall.sim.county import generate_county

COUNTY = "320115"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Registry, Path]:
    """A 1,000-grid county and its exported files (the round trip uses the 2,000-grid one)."""
    registry = generate_county(COUNTY, "演示区", 5, grids=1000)
    folder = tmp_path_factory.mktemp("small")
    export_registry(registry, folder)
    return registry, folder


def options(**kw: object) -> ImportOptions:
    return ImportOptions(county=COUNTY, county_name="演示区", strict_codes=True, **kw)  # type: ignore[arg-type]


def import_folder(r: redis.Redis, keys: Keys, folder: Path, **kw: object) -> int | None:
    requests = [(kind, [folder / name]) for kind, name in FILES.items()]
    plan = plan_import(requests, load_registry(r, keys), options(**kw))
    assert plan.error_count == 0, [str(p) for k in plan.kinds for p in k.problems.errors]
    return apply_plan(r, keys, plan) if plan.changes else None


def snapshot(r: redis.Redis, keys: Keys) -> dict[str, dict[bytes, bytes]]:
    return {kind: r.hgetall(keys.ref(kind)) for kind in KINDS}  # type: ignore[misc]


def test_export_then_import_gives_the_identical_registry(
    r: redis.Redis, keys: Keys, demo_registry: Registry, tmp_path: Path
) -> None:
    export_registry(demo_registry, tmp_path)
    assert import_folder(r, keys, tmp_path) == 1
    stored = load_registry(r, keys)
    assert stored.version == 1
    for kind in KINDS:
        assert stored.records(kind) == demo_registry.records(kind), kind
    entries = r.xrange(keys.ref_log)
    assert len(entries) == 1
    fields = {k.decode(): v.decode() for k, v in entries[0][1].items()}
    assert fields["version"] == "1"
    assert json.loads(fields["kinds"])["areas"]["added"] == len(demo_registry.areas)
    assert {f["file"] for f in json.loads(fields["files"])} == set(FILES.values())


def test_reimporting_the_same_files_changes_nothing(
    r: redis.Redis, keys: Keys, small: tuple[Registry, Path]
) -> None:
    _, tmp_path = small
    import_folder(r, keys, tmp_path)
    before = snapshot(r, keys)
    requests = [(kind, [tmp_path / name]) for kind, name in FILES.items()]
    plan = plan_import(requests, load_registry(r, keys), options())
    assert not plan.changes
    assert all(k.diff.counts()["unchanged"] == len(k.records) for k in plan.kinds)
    assert import_folder(r, keys, tmp_path) is None
    assert snapshot(r, keys) == before
    assert r.get(keys.ref_version) == b"1"
    assert r.xlen(keys.ref_log) == 1


def test_each_import_that_changes_something_is_a_new_version(
    r: redis.Redis, keys: Keys, small: tuple[Registry, Path], tmp_path: Path
) -> None:
    import_folder(r, keys, small[1])
    lines = (small[1] / FILES["departments"]).read_text(encoding="utf-8-sig").splitlines()
    lines = [line.replace("国网区供电公司", "国网区供电分公司") for line in lines]
    path = tmp_path / "departments.csv"
    path.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8-sig")  # and drop the last
    plan = plan_import([("departments", [path])], load_registry(r, keys), options())
    diff = plan.kinds[0].diff
    assert list(diff.changed.items()) == [("gd", ["name"])]
    assert diff.removed == [lines[-1].split(",")[0]]
    assert apply_plan(r, keys, plan) == 2
    assert load_registry(r, keys).department(lines[-1].split(",")[0]) is None
    assert load_registry(r, keys).department("gd").name == "国网区供电分公司"  # type: ignore[union-attr]


def test_a_plan_made_against_an_older_version_is_refused(
    r: redis.Redis, keys: Keys, small: tuple[Registry, Path], tmp_path: Path
) -> None:
    path = tmp_path / "d.csv"
    path.write_text("code,name\nga,区公安分局\n", encoding="utf-8")
    stale = plan_import([("departments", [path])], load_registry(r, keys), options())
    import_folder(r, keys, small[1])
    with pytest.raises(ImportConflict, match="changed while importing"):
        apply_plan(r, keys, stale)
    assert r.get(keys.ref_version) == b"1"


def test_partial_import_writes_the_valid_and_keeps_the_stored(
    r: redis.Redis, keys: Keys, tmp_path: Path, small: tuple[Registry, Path]
) -> None:
    demo_registry = small[0]
    import_folder(r, keys, small[1])
    path = tmp_path / "d.csv"
    path.write_text(
        "code,name\nga,区公安分局（新）\ncg,\nnew 1,新部门\nsf2,区司法二局\n", encoding="utf-8"
    )
    plan = plan_import([("departments", [path])], load_registry(r, keys), options())
    assert plan.blocked
    with pytest.raises(ValueError, match="2 errors; nothing written"):
        apply_plan(r, keys, plan)
    plan = plan_import([("departments", [path])], load_registry(r, keys), options(partial=True))
    warnings = [str(p) for p in plan.kinds[0].problems.items if p.severity == "warning"]
    assert "warning: row 3 (cg): rejected; the stored record is kept" in warnings
    assert (
        f"warning: import: removes {len(small[0].departments) - 2} of the "
        f"{len(small[0].departments)} stored departments: is this the whole list?" in warnings
    )
    assert apply_plan(r, keys, plan) == 2
    stored = load_registry(r, keys)
    assert stored.department("ga").name == "区公安分局（新）"  # type: ignore[union-attr]
    assert stored.department("cg") == demo_registry.department("cg")
    assert stored.department("sf2") is not None
    assert stored.department("new 1") is None
    assert stored.department("mz") is None  # not in the file: removed
    assert json.loads(r.xrange(keys.ref_log)[-1][1][b"errors"]) == 2


def test_positions_exported_in_gcj02_come_back_as_wgs84(
    r: redis.Redis, keys: Keys, small: tuple[Registry, Path], tmp_path: Path
) -> None:
    demo_registry = small[0]
    import_folder(r, keys, small[1])
    path = tmp_path / "cameras-gcj02.csv"
    write_cameras(demo_registry, path, Crs.GCJ02)
    plan = plan_import([("cameras", [path])], load_registry(r, keys), options(crs=Crs.GCJ02))
    assert plan.error_count == 0
    for camera_id, camera in plan.kinds[0].records.items():
        original = demo_registry.cameras[camera_id]
        assert camera.location == pytest.approx(original.location, abs=2e-7)  # type: ignore[attr-defined]
        assert camera.grid == original.grid  # type: ignore[attr-defined]
