"""`gridwall import` and `gridwall export`: what an operator sees, and what gets written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner, Result

from gridwall.cli import cli
from gridwall.platform.keys import Keys
from gridwall.refdata.registry import load_registry


@pytest.fixture
def run(redis_url: str, r: redis.Redis, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    for name in list(os.environ):
        if name.startswith("GRIDWALL_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("REDIS_URL", redis_url)

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return invoke


def test_export_then_import_through_the_command_line(
    run,
    r: redis.Redis,
    keys: Keys,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    result = run("export", "demo-county", str(tmp_path), "--grids", "1000", "--seed", "3")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "areas.geojson", "cameras.csv", "categories.yaml", "departments.csv", "workers.xlsx",
    ]  # fmt: skip
    dry = run("import", "areas", str(tmp_path / "areas.geojson"), "--dry-run", "--show", "2")
    assert dry.exit_code == 0, dry.output
    assert " added, 0 changed, 0 removed, 0 unchanged" in dry.output
    assert "  + 320115" in dry.output
    assert "  + … and " in dry.output
    assert "dry run: 0 errors; the import would be written; nothing written." in dry.output
    assert not r.exists(keys.ref_version)
    for kind, name in [("areas", "areas.geojson"), ("departments", "departments.csv"),
                       ("categories", "categories.yaml"), ("cameras", "cameras.csv"),
                       ("workers", "workers.xlsx")]:  # fmt: skip
        result = run("import", kind, str(tmp_path / name))
        assert result.exit_code == 0, result.output
        assert "imported: reference data version" in result.output
    assert r.get(keys.ref_version) == b"5"
    again = run("import", "cameras", str(tmp_path / "cameras.csv"))
    assert "no changes: reference data stays at version 5." in again.output
    assert len(load_registry(r, keys).by_level("grid")) == 1000


def test_errors_are_listed_and_nothing_is_written_without_partial(
    run,
    r: redis.Redis,
    keys: Keys,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    path = tmp_path / "departments.csv"
    path.write_text("code,name\nga,区公安分局\nbad code,坏\ncg,\n", encoding="utf-8")
    result = run("import", "departments", str(path))
    assert result.exit_code == 1
    assert "error: row 3 (bad code): code:" in result.output
    assert "error: row 4 (cg): name: no name" in result.output
    assert "2 errors: nothing written" in result.output
    assert not r.exists(keys.ref_version)
    result = run("import", "departments", str(path), "--partial")
    assert result.exit_code == 0, result.output
    assert "imported: reference data version 1 (2 invalid records left out)." in result.output
    assert list(load_registry(r, keys).departments) == ["ga"]


def test_mapping_options_and_unreadable_files(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "d.csv"
    path.write_text("部门代码,部门全称\nga,区公安分局\n", encoding="utf-8")
    result = run("import", "departments", str(path), "--map", "code=部门代码",
                 "--map", "name=部门全称")  # fmt: skip
    assert result.exit_code == 0, result.output
    bad = run("import", "departments", str(path), "--map", "code")
    assert bad.exit_code == 2
    assert "expected NAME=COLUMN" in bad.output
    odd = tmp_path / "d.pdf"
    odd.write_text("x", encoding="utf-8")
    result = run("import", "departments", str(odd))
    assert result.exit_code == 1
    assert "Error: d.pdf: expected a .csv or .xlsx file" in result.output
    assert "Traceback" not in result.output


def test_large_imports_show_a_progress_bar(
    run,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    path = tmp_path / "d.csv"
    path.write_text("code,name\nga,区公安分局\n", encoding="utf-8")
    tiny = tmp_path / "areas.geojson"
    tiny.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        '{"code": "320115001000", "name": "甲街道", "level": "street"}, "geometry": '
        '{"type": "Polygon", "coordinates": [[[118.7, 31.8], [118.8, 31.8], [118.8, 31.9], '
        "[118.7, 31.8]]]}}]}",
        encoding="utf-8",
    )
    assert "reading areas.geojson" not in run("import", "areas", str(tiny), "--dry-run").stderr
    monkeypatch.setenv("GRIDWALL_REFDATA__PROGRESS_MIN_ITEMS", "1")
    result = run("import", "areas", str(tiny), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "reading areas.geojson" in result.stderr


def test_import_demo_county_twice(run, r: redis.Redis, keys: Keys) -> None:  # type: ignore[no-untyped-def]
    first = run("import", "demo-county", "--grids", "1000", "--seed", "3")
    assert first.exit_code == 0, first.output
    assert "imported: reference data version 1." in first.output
    second = run("import", "demo-county", "--grids", "1000", "--seed", "3")
    assert "no changes: reference data stays at version 1." in second.output
