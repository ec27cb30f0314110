"""Areas in: GeoJSON FeatureCollections of streets/towns, communities/villages and grids.

Each feature carries its code, name, level and parent code in ``properties``; the property names
can be mapped (``--map code=WGBM``) and the level given for a whole file (``--level grid``).
Polygons come in the declared CRS (``--crs wgs84|gcj02|bd09``) and are stored as WGS-84.
The hierarchy checks are in ``gridwall.refdata.importing.hierarchy``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shapely.geometry.base import BaseGeometry

from gridwall.refdata.geometry import GeometryError, clean_geometry
from gridwall.refdata.importing.options import ImportOptions
from gridwall.refdata.importing.problems import Problems, Severity
from gridwall.refdata.importing.table import TableError
from gridwall.refdata.model import Level

#: Property names looked for, per field, when no mapping is given.
PROPERTY_NAMES: dict[str, tuple[str, ...]] = {
    "code": ("code", "编码", "代码", "区划代码", "网格编码", "CODE", "adcode", "id"),
    "name": ("name", "名称", "网格名称", "NAME"),
    "level": ("level", "级别", "层级", "LEVEL", "type"),
    "parent": ("parent", "parent_code", "上级编码", "上级代码", "所属社区", "PARENT", "pcode"),
}

#: Words accepted as levels (English and Chinese).
LEVEL_WORDS: dict[str, Level] = {
    **{w: Level.COUNTY for w in ("county", "district", "区", "县", "县区", "区县")},
    **{w: Level.STREET for w in ("street", "town", "township", "街道", "镇", "乡", "乡镇")},
    **{w: Level.COMMUNITY for w in ("community", "village", "社区", "村", "居委会", "村委会")},
    **{w: Level.GRID for w in ("grid", "网格")},
}

#: Legacy GeoJSON ``crs`` names that mean longitude/latitude on WGS-84 (or CGCS2000, within cm).
LONLAT_CRS = ("crs84", "4326", "4490", "wgs84", "wgs 84", "cgcs2000")


@dataclass(frozen=True)
class Candidate:
    """One readable feature, before the hierarchy checks."""

    where: str
    code: str
    name: str
    level: Level
    parent: str | None
    geom: BaseGeometry


@dataclass
class AreasRead:
    candidates: list[Candidate]
    #: Code → place of the features refused while reading (for their duplicates and children).
    rejected: dict[str, str]
    total: int


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _property(props: Mapping[str, Any], field: str, mapping: Mapping[str, str]) -> str:
    names = (mapping[field],) if field in mapping else PROPERTY_NAMES[field]
    for name in names:
        if name in props:
            return _text(props[name])
    return ""


def _features(path: Path, problems: Problems) -> list[Any]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TableError(f"{path.name}: not a readable GeoJSON file ({exc})") from None
    if isinstance(data, dict) and data.get("type") == "Feature":
        return [data]
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise TableError(f"{path.name}: expected a GeoJSON FeatureCollection")
    crs = data.get("crs")
    if crs is not None:
        name = json.dumps(crs).lower()
        if not any(word in name for word in LONLAT_CRS):
            problems.add(
                path.name,
                f"declared crs {name} is not longitude/latitude; reproject to WGS-84, "
                "GCJ-02 or BD-09 degrees and say which with --crs",
            )
            return []
    features = data.get("features")
    if not isinstance(features, list):
        raise TableError(f"{path.name}: 'features' must be an array")
    return features


def _level(word: str, options: ImportOptions) -> Level | None:
    if not word:
        return options.level
    return LEVEL_WORDS.get(word.strip().lower())


def _candidate(
    where: str, feature: Any, options: ImportOptions, problems: Problems, rejected: dict[str, str]
) -> Candidate | None:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        problems.add(where, "not a GeoJSON Feature")
        return None
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        problems.add(where, "properties must be an object")
        return None
    code = _property(props, "code", options.mapping)
    name = _property(props, "name", options.mapping)
    level_word = _property(props, "level", options.mapping)
    parent = _property(props, "parent", options.mapping) or None
    ok = True
    if not code:
        problems.add(where, "no code", field="code")
        ok = False
    if not name:
        problems.add(where, "no name", code=code or None, field="name")
        ok = False
    level = _level(level_word, options)
    if level is None:
        reason = f"unknown level {level_word!r}" if level_word else "no level (or use --level)"
        problems.add(where, reason, code=code or None, field="level")
        ok = False
    geom = None
    try:
        geom, repairs = clean_geometry(feature.get("geometry"), options.crs)
    except GeometryError as exc:
        problems.add(where, str(exc), code=code or None, field="geometry")
        ok = False
    else:
        for repair in repairs:
            problems.add(where, repair, code=code, field="geometry", severity=Severity.REPAIRED)
    if not ok or level is None or geom is None:
        if code:
            rejected.setdefault(code, where)
        return None
    return Candidate(where, code, name, level, parent, geom)


def read_areas(paths: Sequence[Path], options: ImportOptions, problems: Problems) -> AreasRead:
    """The features of GeoJSON files as candidates, and what was refused while reading.

    Raises ``TableError`` when a file is not GeoJSON at all.
    """
    for field in options.mapping:
        if field not in PROPERTY_NAMES:
            problems.add(
                "mapping", f"no property {field!r} to map (known: code, name, level, parent)"
            )
    read = AreasRead([], {}, 0)
    for path in paths:
        features = _features(path, problems)
        prefix = f"{path.name} " if len(paths) > 1 else ""
        numbered = list(enumerate(features, start=1))
        for number, feature in options.track(numbered, f"reading {path.name}"):
            where = f"{prefix}feature {number}"
            candidate = _candidate(where, feature, options, problems, read.rejected)
            if candidate is not None:
                read.candidates.append(candidate)
        read.total += len(features)
    return read
