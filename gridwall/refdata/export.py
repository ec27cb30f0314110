"""Reference data out, as the very files ``gridwall import`` reads.

``areas.geojson`` (every level in one FeatureCollection), ``departments.csv``,
``categories.yaml`` (nested by class), ``cameras.csv`` and ``workers.xlsx``. CSV files are
UTF-8 with a byte-order mark, so that Excel on a Chinese Windows opens them correctly.
Coordinates are written in the CRS asked for (WGS-84 by default).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import yaml
from shapely.geometry import shape

from gridwall.contract.events import Crs
from gridwall.contract.geo import from_wgs84
from gridwall.refdata.geometry import to_geojson
from gridwall.refdata.model import LEVEL_ORDER, Camera, Category, IdentityKind
from gridwall.refdata.registry import Registry

#: The file of each kind in an exported folder.
FILES = {
    "areas": "areas.geojson",
    "departments": "departments.csv",
    "categories": "categories.yaml",
    "cameras": "cameras.csv",
    "workers": "workers.xlsx",
}


def _geometry(geometry: dict[str, Any], crs: Crs) -> dict[str, Any]:
    if crs is Crs.WGS84:
        return geometry
    geom = shapely.transform(
        shape(geometry),
        lambda xy: np.array([from_wgs84(float(x), float(y), crs) for x, y in xy]),
    )
    return to_geojson(geom)


def write_areas(registry: Registry, path: Path, crs: Crs = Crs.WGS84) -> None:
    features = [
        {
            "type": "Feature",
            "properties": {
                "code": a.code,
                "name": a.name,
                "level": a.level.value,
                "parent": a.parent,
            },
            "geometry": _geometry(a.geometry, crs),
        }
        for level in LEVEL_ORDER
        for a in registry.by_level(level)
        if a.geometry is not None
    ]
    data = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)


def write_departments(registry: Registry, path: Path) -> None:
    rows = [[d.code, d.name, d.name_en, d.kind.value, d.area]
            for d in sorted(registry.departments.values(), key=lambda d: d.code)]  # fmt: skip
    _write_csv(path, ["code", "name", "name_en", "kind", "area"], rows)


def _category_entry(c: Category, children: list[dict[str, Any]]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "code": c.code,
        "name": c.name,
        "name_en": c.name_en,
        "urgency": c.urgency.value,
        "department": c.department,
        "sla": c.sla,
    }
    if children:
        entry["children"] = children
    return entry


def write_categories(registry: Registry, path: Path) -> None:
    def tree(parent: str | None) -> list[dict[str, Any]]:
        found = sorted(
            (c for c in registry.categories.values() if c.parent == parent), key=lambda c: c.code
        )
        return [_category_entry(c, tree(c.code)) for c in found]

    text = yaml.safe_dump({"categories": tree(None)}, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")


def _camera_row(c: Camera, crs: Crs) -> list[Any]:
    by_kind: dict[IdentityKind, str] = {i.kind: i.value for i in c.identities}
    mac, _, mac_channel = by_kind.get(IdentityKind.MAC, "").partition("/")
    ip, _, ip_channel = by_kind.get(IdentityKind.IP, "").partition("/")
    lon, lat = from_wgs84(*c.location, crs) if c.location else ("", "")
    gb = by_kind.get(IdentityKind.GB28181, "")
    return [
        "" if c.id == gb else c.id, c.name, gb, mac, ip, mac_channel or ip_channel,
        by_kind.get(IdentityKind.FRIGATE, ""), lon, lat, c.grid, c.group,
    ]  # fmt: skip


def write_cameras(registry: Registry, path: Path, crs: Crs = Crs.WGS84) -> None:
    header = ["id", "name", "gb28181", "mac", "ip", "channel", "frigate", "lon", "lat", "grid",
              "group"]  # fmt: skip
    rows = [_camera_row(c, crs) for c in sorted(registry.cameras.values(), key=lambda c: c.id)]
    _write_csv(path, header, rows)


def write_workers(registry: Registry, path: Path) -> None:
    import openpyxl  # noqa: PLC0415 - only this export pays for it

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("workers")
    sheet.append(["id", "name", "phone", "id_number", "grids"])
    for w in sorted(registry.workers.values(), key=lambda w: w.id):
        sheet.append([w.id, w.name, w.phone, w.id_number, ";".join(w.grids)])
    book.save(path)


def export_registry(registry: Registry, folder: Path, crs: Crs = Crs.WGS84) -> dict[str, Path]:
    """Write every kind into ``folder``; returns kind → file written."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {kind: folder / name for kind, name in FILES.items()}
    write_areas(registry, paths["areas"], crs)
    write_departments(registry, paths["departments"])
    write_categories(registry, paths["categories"])
    write_cameras(registry, paths["cameras"], crs)
    write_workers(registry, paths["workers"])
    return paths
