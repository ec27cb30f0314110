"""The county's static map for the briefing: an SVG drawn from the registry's polygons.

No tiles, no network, no script: grids shaded by the day's 受理 count (classes from the day's
own distribution), street outlines and names on top, the hotspot grids marked with their rank
in the hotspot table. Longitude/latitude are projected equirectangularly around the county's
middle latitude (distortion is negligible at a county's size); polygons are simplified to about
half a pixel, so the SVG stays small and prints crisp at any scale.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from gridwall.refdata.model import Area, Level
from gridwall.refdata.registry import Registry

#: Fill of a grid without reports, then of each class, light to dark.
EMPTY = "#eef2f7"
PALETTE = ("#fde2c6", "#fdba84", "#f98b4e", "#e4572e", "#a8261a")
FONT = "'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei','PingFang SC',sans-serif"


class Projection:
    def __init__(self, bounds: tuple[float, float, float, float], width: float) -> None:
        west, south, east, north = bounds
        self.west, self.north = west, north
        self.kx = math.cos(math.radians((south + north) / 2))
        span = max((east - west) * self.kx, 1e-9)
        self.scale = width / span
        self.width = width
        self.height = (north - south) * self.scale

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.west) * self.kx * self.scale, (self.north - lat) * self.scale

    @property
    def tolerance(self) -> float:
        """Half a pixel, in degrees."""
        return 0.5 / self.scale


def _rings(geometry: BaseGeometry) -> Iterable[Sequence[tuple[float, float]]]:
    polygons = getattr(geometry, "geoms", [geometry])
    for polygon in polygons:
        if polygon.is_empty or not hasattr(polygon, "exterior"):
            continue
        yield list(polygon.exterior.coords)
        for hole in polygon.interiors:
            yield list(hole.coords)


def _path(geometry: BaseGeometry, proj: Projection) -> str:
    parts = []
    for ring in _rings(geometry.simplify(proj.tolerance, preserve_topology=False)):
        points = [proj.xy(lon, lat) for lon, lat in ring]
        if len(points) < 3:
            continue
        head, *rest = points
        parts.append(
            f"M{head[0]:.1f} {head[1]:.1f}" + "".join(f"L{x:.1f} {y:.1f}" for x, y in rest) + "Z"
        )
    return "".join(parts)


def classes(counts: Iterable[int]) -> list[int]:
    """Lower bounds of the colour classes (the first is 1), from the day's own counts."""
    values = sorted(c for c in counts if c > 0)
    if not values:
        return [1]
    bounds = [1]
    for q in (0.5, 0.75, 0.9, 0.97):
        value = values[min(len(values) - 1, int(q * len(values)))]
        if value > bounds[-1]:
            bounds.append(value)
    return bounds[: len(PALETTE)]


def _fill(count: int, bounds: Sequence[int]) -> str:
    if count <= 0:
        return EMPTY
    index = max(i for i, b in enumerate(bounds) if count >= b)
    return PALETTE[index]


def legend_labels(bounds: Sequence[int]) -> list[str]:
    labels = []
    for i, low in enumerate(bounds):
        high = bounds[i + 1] - 1 if i + 1 < len(bounds) else None
        labels.append(f"≥{low}" if high is None else (str(low) if high == low else f"{low}–{high}"))
    return labels


def _shapes(areas: Iterable[Area]) -> list[tuple[Area, Any]]:
    return [(a, shape(a.geometry)) for a in areas if a.geometry]


def county_map(
    registry: Registry, counts: Mapping[str, int], marks: Sequence[str], width: int = 680
) -> str:
    """The SVG (as text), or "" when the registry has no polygons."""
    grids = _shapes(registry.by_level(Level.GRID))
    streets = _shapes(registry.by_level(Level.STREET))
    outline = streets or grids
    if not outline:
        return ""
    xs = [s.bounds for _, s in outline]
    bounds = (min(b[0] for b in xs), min(b[1] for b in xs), max(b[2] for b in xs),
              max(b[3] for b in xs))  # fmt: skip
    proj = Projection(bounds, width - 20)
    legend_h = 34
    height = proj.height + 20 + legend_h
    cuts = classes(counts.values())
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-10 -10 {width} {height:.0f}" '
        f'width="100%" role="img" font-family="{FONT}">'
    ]
    out.append('<g stroke="#ffffff" stroke-width="0.3">')
    for area, geometry in grids:
        out.append(
            f'<path d="{_path(geometry, proj)}" fill="{_fill(counts.get(area.code, 0), cuts)}"/>'
        )
    out.append('</g><g fill="none" stroke="#334155" stroke-width="1.2">')
    out.extend(f'<path d="{_path(g, proj)}"/>' for _, g in streets)
    out.append('</g><g font-size="11" fill="#1e293b" text-anchor="middle">')
    for area, geometry in streets:
        lon, lat = area.centroid or geometry.representative_point().coords[0]
        x, y = proj.xy(lon, lat)
        out.append(
            f'<text x="{x:.1f}" y="{y:.1f}" stroke="#ffffff" stroke-width="2.5" '
            f'paint-order="stroke">{escape(area.name)}</text>'
        )
    out.append("</g>")
    out.append(_marks(registry, marks, proj))
    out.append(_legend(cuts, proj.height + 14))
    out.append("</svg>")
    return "".join(out)


def _marks(registry: Registry, marks: Sequence[str], proj: Projection) -> str:
    out = ['<g font-size="9" font-weight="bold" text-anchor="middle">']
    for rank, code in reversed(list(enumerate(marks, start=1))):
        area = registry.area(code)
        if area is None or area.centroid is None:
            continue
        x, y = proj.xy(*area.centroid)
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="#1d4ed8" stroke="#ffffff" '
            f'stroke-width="1.2"/><text x="{x:.1f}" y="{y + 3:.1f}" fill="#ffffff">{rank}</text>'
        )
    out.append("</g>")
    return "".join(out)


def _legend(cuts: Sequence[int], top: float) -> str:
    out = [f'<g font-size="10" fill="#334155" transform="translate(0 {top:.1f})">']
    boxes = [("0", EMPTY), *zip(legend_labels(cuts), PALETTE, strict=False)]
    for i, (label, colour) in enumerate(boxes):
        x = i * 62
        out.append(
            f'<rect x="{x}" y="0" width="14" height="12" fill="{colour}" stroke="#94a3b8" '
            f'stroke-width="0.5"/><text x="{x + 18}" y="10">{escape(label)}</text>'
        )
    out.append("</g>")
    return "".join(out)
