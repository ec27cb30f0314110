"""Area polygons: GeoJSON in any declared CRS → valid WGS-84 (Multi)Polygons, stored as GeoJSON.

One path for every polygon, imported or generated, so that the same geometry always gives the
same stored record: convert to WGS-84, round to 7 decimals (about 1 cm), repair an invalid
polygon with ``make_valid`` when that leaves a polygon (reported), refuse what cannot be
repaired, and derive the label point. The generator uses the same function, which makes
export → import reproduce the registry exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from gridwall.contract.events import Crs
from gridwall.contract.geo import to_wgs84
from gridwall.refdata.model import Area, Level

DECIMALS = 7
POLYGONAL = ("Polygon", "MultiPolygon")


class GeometryError(ValueError):
    """The geometry cannot be used; the message says why."""


def _lists(coords: Any) -> Any:
    if isinstance(coords, tuple | list) and coords and isinstance(coords[0], float | int):
        return [round(float(c), DECIMALS) for c in coords]
    return [_lists(c) for c in coords]


def to_geojson(geom: BaseGeometry) -> dict[str, Any]:
    """A (Multi)Polygon as a GeoJSON geometry with nested lists (as stored)."""
    data = mapping(geom)
    return {"type": data["type"], "coordinates": _lists(data["coordinates"])}


def _round(geom: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geom, lambda xy: np.round(xy, DECIMALS))


def _convert(geom: BaseGeometry, crs: Crs) -> BaseGeometry:
    if crs is Crs.WGS84:
        return geom

    def points(xy: np.ndarray) -> np.ndarray:
        return np.array([to_wgs84(float(x), float(y), crs) for x, y in xy]).reshape(xy.shape)

    return shapely.transform(geom, points)


def _polygonal(geom: BaseGeometry) -> BaseGeometry | None:
    """The polygonal part of a (repaired) geometry, or None."""
    if geom.geom_type in POLYGONAL:
        return geom
    if geom.geom_type == "GeometryCollection":
        parts: list[Polygon] = []
        for part in getattr(geom, "geoms", ()):
            if isinstance(part, Polygon):
                parts.append(part)
            elif isinstance(part, MultiPolygon):
                parts.extend(part.geoms)
        if parts:
            return parts[0] if len(parts) == 1 else MultiPolygon(parts)
    return None


def _check_coordinates(raw: dict[str, Any]) -> None:
    values = np.asarray(_flatten(raw.get("coordinates")), dtype=float).reshape(-1)
    if values.size == 0:
        raise GeometryError("the geometry has no coordinates")
    if not np.isfinite(values).all():
        raise GeometryError("coordinates must be finite numbers")
    xy = values.reshape(-1, 2) if values.size % 2 == 0 else None
    if xy is None or np.abs(xy[:, 0]).max() > 180 or np.abs(xy[:, 1]).max() > 90:
        raise GeometryError(
            "coordinates are not longitude/latitude in degrees "
            "(a projected CRS such as CGCS2000 Gauss-Krüger? reproject to lon/lat first)"
        )


def _flatten(coords: Any) -> list[float]:
    if isinstance(coords, int | float) and not isinstance(coords, bool):
        return [float(coords)]
    if isinstance(coords, list | tuple):
        out: list[float] = []
        for c in coords:
            if isinstance(c, list | tuple) and c and isinstance(c[0], int | float):
                out.extend(float(v) for v in c[:2])  # drop Z/M values
            else:
                out.extend(_flatten(c))
        return out
    raise GeometryError("coordinates must be nested arrays of numbers")


def _close_rings(raw: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Close unclosed rings and drop Z values; returns the geometry and whether it changed."""
    changed = False

    def ring(points: Any) -> list[list[float]]:
        nonlocal changed
        pts = [[float(p[0]), float(p[1])] for p in points]
        if len(pts) >= 3 and pts[0] != pts[-1]:
            pts.append(list(pts[0]))
            changed = True
        if len(pts) < 4:
            raise GeometryError("a polygon ring needs at least 3 distinct points")
        return pts

    try:
        if raw["type"] == "Polygon":
            coords: Any = [ring(r) for r in raw["coordinates"]]
        else:
            coords = [[ring(r) for r in poly] for poly in raw["coordinates"]]
    except (TypeError, IndexError, KeyError) as exc:
        raise GeometryError(f"malformed {raw.get('type')} coordinates ({exc})") from None
    return {"type": raw["type"], "coordinates": coords}, changed


def clean_geometry(raw: Any, crs: Crs = Crs.WGS84) -> tuple[BaseGeometry, list[str]]:
    """A valid WGS-84 (Multi)Polygon from a GeoJSON geometry, and the repairs made.

    Raises ``GeometryError`` when the geometry cannot be used.
    """
    if not isinstance(raw, dict) or raw.get("type") not in POLYGONAL:
        kind = raw.get("type") if isinstance(raw, dict) else type(raw).__name__
        raise GeometryError(f"expected a Polygon or MultiPolygon, got {kind}")
    _check_coordinates(raw)
    closed, was_open = _close_rings(raw)
    repairs = ["closed an unclosed ring"] if was_open else []
    try:
        geom = shapely.geometry.shape(closed)
    except (ValueError, TypeError, shapely.errors.ShapelyError) as exc:
        raise GeometryError(f"not a usable polygon ({exc})") from None
    geom, repair = finish(_convert(geom, crs))
    return geom, repairs + ([repair] if repair else [])


def finish(geom: BaseGeometry) -> tuple[BaseGeometry, str | None]:
    """Round to 7 decimals and repair when invalid; returns the geometry and the repair made.

    Raises ``GeometryError`` when no polygon with an area is left.
    """
    geom = _round(geom)
    repair = None
    if not geom.is_valid:
        why = explain_validity(geom)
        fixed = _polygonal(shapely.make_valid(geom))
        fixed = None if fixed is None else _round(fixed)
        if fixed is None or fixed.is_empty or fixed.area <= 0 or not fixed.is_valid:
            raise GeometryError(f"invalid polygon that cannot be repaired: {why}")
        repair = f"repaired an invalid polygon ({why})"
        geom = fixed
    if geom.is_empty or geom.area <= 0:
        raise GeometryError("the polygon has no area")
    return geom, repair


def label_point(geom: BaseGeometry) -> tuple[float, float]:
    """A point inside the area (for labels and markers), rounded like the coordinates."""
    point = geom.representative_point()
    return round(point.x, DECIMALS), round(point.y, DECIMALS)


def make_area(code: str, name: str, level: Level, parent: str | None, geom: BaseGeometry) -> Area:
    """The stored record of an area with a clean geometry."""
    return Area(
        code=code,
        name=name,
        level=level,
        parent=parent,
        geometry=to_geojson(geom),
        centroid=label_point(geom),
    )


def shapes(areas: Sequence[Area]) -> list[BaseGeometry]:
    """Shapely geometries of stored areas (which all have one)."""
    return [shapely.geometry.shape(a.geometry) for a in areas]
