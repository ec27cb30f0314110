"""Fixtures of the reference-data tests: the tiny county as a registry, table writers."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from gridwall.refdata.importing.importer import plan_import
from gridwall.refdata.importing.options import ImportOptions
from gridwall.refdata.registry import Registry
from tests.feeds.refdata.tiny import COUNTY, features, write

Writer = Callable[..., Path]


@pytest.fixture
def tiny(tmp_path: Path) -> Registry:
    """The tiny county's areas plus two departments, as a registry (not stored)."""
    empty = Registry(COUNTY, [], [])
    areas = write(tmp_path / "tiny.geojson", features())
    departments = tmp_path / "departments.csv"
    departments.write_text("code,name\ncg,区城市管理局\nga,区公安分局\n", encoding="utf-8")
    options = ImportOptions(county=COUNTY, county_name="演示区")
    plan = plan_import([("areas", [areas]), ("departments", [departments])], empty, options)
    assert plan.error_count == 0
    return plan.registry(empty)


@pytest.fixture
def table(tmp_path: Path) -> Writer:
    """Writes a CSV (any encoding) or an XLSX table and returns its path."""

    def writer(
        name: str, header: list[str], rows: list[list[Any]], encoding: str = "utf-8"
    ) -> Path:
        path = tmp_path / name
        if path.suffix == ".xlsx":
            book = openpyxl.Workbook()
            sheet = book.active
            assert sheet is not None
            sheet.append(header)
            for row in rows:
                sheet.append(row)
            book.save(path)
            return path
        with path.open("w", encoding=encoding, newline="") as handle:
            out = csv.writer(handle)
            out.writerow(header)
            out.writerows(rows)
        return path

    return writer
