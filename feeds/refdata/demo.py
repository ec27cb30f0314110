"""A demo county generated deterministically from a seed.

The walking skeleton's county: a rectangle near Nanjing cut into streets, communities and grids
with well-formed codes (12-digit division codes, 15-digit grid codes numbered west→east,
north→south) and a small category catalogue. The reference-data issue replaces the geometry
with a realistic one; the shape of the output (a ``Registry``) stays.
"""

from __future__ import annotations

import random
from typing import Any

from feeds.contract import Urgency
from feeds.refdata.model import Area, Category, Level
from feeds.refdata.registry import Registry

#: South-west corner and size of the demo county (near Nanjing, WGS-84 degrees).
ORIGIN = (118.70, 31.80)
SIZE = (0.36, 0.27)

STREET_NAMES = (
    "东山街道",
    "秣陵街道",
    "汤山街道",
    "淳化街道",
    "禄口街道",
    "江宁街道",
    "谷里街道",
    "湖熟街道",
    "横溪街道",
    "麒麟街道",
    "秣陵镇",
    "铜井镇",
)
COMMUNITY_WORDS = (
    "东",
    "西",
    "南",
    "北",
    "新",
    "安",
    "和",
    "平",
    "康",
    "宁",
    "兴",
    "华",
    "阳",
    "光",
    "明",
    "泉",
)
COMMUNITY_ENDINGS = ("社区", "社区", "社区", "村")

CATEGORIES = (
    ("01", "市容环境", "City appearance", Urgency.NORMAL, "normal"),
    ("02", "宣传广告", "Advertising", Urgency.NORMAL, "normal"),
    ("03", "施工管理", "Construction", Urgency.NORMAL, "complex"),
    ("04", "街面秩序", "Street order", Urgency.NORMAL, "normal"),
    ("05", "突发事件", "Emergencies", Urgency.URGENT, "urgent"),
    ("11", "矛盾纠纷", "Disputes", Urgency.NORMAL, "normal"),
    ("12", "安全隐患", "Safety hazards", Urgency.URGENT, "urgent"),
    ("13", "治安", "Public order", Urgency.NORMAL, "normal"),
    ("14", "消防", "Fire safety", Urgency.URGENT, "urgent"),
    ("15", "生态环境", "Ecology and environment", Urgency.NORMAL, "normal"),
    ("16", "民生服务", "Public services", Urgency.NORMAL, "normal"),
)


def _rect(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


def _cells(
    box: tuple[float, float, float, float], cols: int, rows: int
) -> list[tuple[float, float, float, float]]:
    """Cells of a box, north row first, west to east (the numbering order of grids)."""
    west, south, east, north = box
    width, height = (east - west) / cols, (north - south) / rows
    cells = []
    for row in range(rows):
        top = north - row * height
        for col in range(cols):
            left = west + col * width
            cells.append((left, top - height, left + width, top))
    return cells


def _area(code: str, name: str, level: Level, parent: str | None, box: tuple[float, ...]) -> Area:
    west, south, east, north = box
    return Area(
        code=code,
        name=name,
        level=level,
        parent=parent,
        geometry=_rect(west, south, east, north),
        centroid=(round((west + east) / 2, 6), round((south + north) / 2, 6)),
    )


def generate_county(county: str, county_name: str, seed: int) -> Registry:
    """Generate the demo county's areas and categories."""
    rng = random.Random(seed)
    west, south = ORIGIN
    box = (west, south, west + SIZE[0], south + SIZE[1])
    areas = [_area(county, county_name, Level.COUNTY, None, box)]
    used: set[str] = set()
    for s_index, s_box in enumerate(_cells(box, 4, 3), start=1):
        street_code = f"{county}{s_index:03d}000"
        areas.append(_area(street_code, STREET_NAMES[s_index - 1], Level.STREET, county, s_box))
        for c_index, c_box in enumerate(_cells(s_box, 4, 3), start=1):
            name = _community_name(rng, used)
            community_code = f"{street_code[:9]}{c_index:03d}"
            areas.append(_area(community_code, name, Level.COMMUNITY, street_code, c_box))
            for g_index, g_box in enumerate(_cells(c_box, 3, 2), start=1):
                areas.append(
                    _area(
                        f"{community_code}{g_index:03d}",
                        f"{name}第{g_index}网格",
                        Level.GRID,
                        community_code,
                        g_box,
                    )
                )
    categories = [
        Category(code=code, name=name, name_en=en, urgency=urgency, sla=sla)
        for code, name, en, urgency, sla in CATEGORIES
    ]
    return Registry(county, areas, categories)


def _community_name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = rng.choice(COMMUNITY_WORDS) + rng.choice(COMMUNITY_WORDS)
        name += rng.choice(COMMUNITY_ENDINGS)
        if name not in used:
            used.add(name)
            return name
