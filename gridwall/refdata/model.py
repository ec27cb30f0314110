"""Reference-data records, as stored (JSON per record) and as imported."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from gridwall.contract.events import Urgency


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


class DepartmentKind(StrEnum):
    COUNTY = "county"  # 县级职能部门
    STREET = "street"  # 街道/乡镇办事处
    OTHER = "other"  # e.g. utilities, city-level extensions


class Department(Record):
    """A handling unit (部门 / 职能部门)."""

    code: str
    name: str
    name_en: str = ""
    kind: DepartmentKind = DepartmentKind.COUNTY
    #: For a street/town office: the street (area code) it serves.
    area: str | None = None


class IdentityKind(StrEnum):
    """How a device names itself in its alarms."""

    GB28181 = "gb28181"  # 20-digit GB/T 28181 device/channel id
    MAC = "mac"  # MAC address + channel (Hikvision ISAPI), value "44:19:b6:00:12:7a/2"
    IP = "ip"  # IP address + channel, value "10.20.3.41/2"
    FRIGATE = "frigate"  # Frigate camera name


class CameraIdentity(Record):
    kind: IdentityKind
    value: str


class Camera(Record):
    id: str = Field(description="Camera id: its 20-digit GB/T 28181 id where it has one.")
    name: str
    identities: list[CameraIdentity] = Field(default_factory=list)
    grid: str | None = None
    location: tuple[float, float] | None = Field(None, description="(lon, lat), WGS-84.")
    group: str | None = Field(None, description="Camera group for alarm rules.")


class Worker(Record):
    """A grid worker (网格员). Name, phone and ID number are personal information."""

    id: str
    name: str = Field(json_schema_extra={"x-personal": "name"})
    phone: str | None = Field(None, json_schema_extra={"x-personal": "phone"})
    id_number: str | None = Field(None, json_schema_extra={"x-personal": "id_number"})
    grids: list[str] = Field(default_factory=list)


def identity_key(kind: IdentityKind | str, value: str) -> str:
    """Normalized lookup key of a device identity (case and separators folded)."""
    kind = IdentityKind(kind)
    text = value.strip().lower()
    if kind is IdentityKind.MAC:
        address, _, channel = text.partition("/")
        address = address.replace("-", ":")
        text = f"{address}/{int(channel or 1)}"
    elif kind is IdentityKind.IP:
        address, _, channel = text.partition("/")
        text = f"{address}/{int(channel or 1)}"
    return f"{kind.value}:{text}"
