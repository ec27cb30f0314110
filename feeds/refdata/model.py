"""Reference-data records, as stored (JSON per record) and as imported."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from feeds.contract import Urgency


class Level(StrEnum):
    """Levels of the hierarchy (信息支撑结构), top down."""

    COUNTY = "county"  # 县/区
    STREET = "street"  # 街道/乡镇
    COMMUNITY = "community"  # 社区/村
    GRID = "grid"  # 网格


LEVEL_ORDER = (Level.COUNTY, Level.STREET, Level.COMMUNITY, Level.GRID)


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Area(Record):
    code: str
    name: str
    level: Level
    parent: str | None = None
    #: GeoJSON geometry (Polygon or MultiPolygon), WGS-84.
    geometry: dict[str, Any] | None = None
    #: A point inside the area (lon, lat), for labels and markers.
    centroid: tuple[float, float] | None = None


class Category(Record):
    code: str
    name: str = Field(description="Chinese name (UI default).")
    name_en: str = ""
    parent: str | None = None
    urgency: Urgency = Urgency.NORMAL
    department: str | None = Field(None, description="Default lead department code.")
    sla: str = Field("normal", description="Key of the default SLA policy.")
