"""A tiny county to break on purpose: 2 streets, 3 communities, 6 rectangular grids.

   118.70      118.75      118.80
31.90 +-----+-----+-----+-----+
      | 001 | 002 | 001 | 002 |   street 320115001000 (west): communities 001 (north), 002 (south)
      |  320115001001 |  320115101201 (village, the whole east street)
31.85 +-----+-----+  |          |
      | 001 | 002 |  |          |
      |  320115001002 |         |
31.80 +-----+-----+-----+-----+
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

COUNTY = "320115"
WEST, EAST, SOUTH, NORTH = 118.70, 118.80, 31.80, 31.90


def box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(code: str, name: str, level: str, parent: str | None, geometry: Any) -> dict[str, Any]:
    props = {"code": code, "name": name, "level": level, "parent": parent}
    return {"type": "Feature", "properties": props, "geometry": geometry}


def features() -> list[dict[str, Any]]:
    """The tiny county's streets, communities and grids (no county feature)."""
    mid_x, mid_y = 118.75, 31.85
    return [
        feature("320115001000", "甲街道", "street", COUNTY, box(WEST, SOUTH, mid_x, NORTH)),
        feature("320115101000", "乙镇", "street", COUNTY, box(mid_x, SOUTH, EAST, NORTH)),
        feature(
            "320115001001", "北社区", "community", "320115001000", box(WEST, mid_y, mid_x, NORTH)
        ),
        feature(
            "320115001002", "南社区", "community", "320115001000", box(WEST, SOUTH, mid_x, mid_y)
        ),
        feature(
            "320115101201", "东村", "community", "320115101000", box(mid_x, SOUTH, EAST, NORTH)
        ),
        feature("320115001001001", "北1", "grid", "320115001001", box(WEST, mid_y, 118.725, NORTH)),
        feature(
            "320115001001002", "北2", "grid", "320115001001", box(118.725, mid_y, mid_x, NORTH)
        ),
        feature("320115001002001", "南1", "grid", "320115001002", box(WEST, SOUTH, 118.725, mid_y)),
        feature(
            "320115001002002", "南2", "grid", "320115001002", box(118.725, SOUTH, mid_x, mid_y)
        ),
        feature(
            "320115101201001", "东1", "grid", "320115101201", box(mid_x, SOUTH, 118.775, NORTH)
        ),
        feature("320115101201002", "东2", "grid", "320115101201", box(118.775, SOUTH, EAST, NORTH)),
    ]


def write(path: Path, items: list[dict[str, Any]], **extra: Any) -> Path:
    data = {"type": "FeatureCollection", **extra, "features": items}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path
