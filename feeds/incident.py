"""The incident (事件/案件): one reported matter and its whole closed loop.

The processor is the only writer of incident documents. ``summary()`` is the public, personal-
data-free view that goes onto the changes stream and the walls.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from feeds.contract import AreaPath, Point, Reporter, Urgency

#: How many processed event ids an incident remembers, to apply each event once.
SEEN_EVENTS = 64


class Status(StrEnum):
    """Lifecycle states (see the glossary for the Chinese terms)."""

    REPORTED = "reported"  # 上报
    ACCEPTED = "accepted"  # 受理/立案
    CLOSED = "closed"  # 结案


OPEN_STATUSES = frozenset({Status.REPORTED, Status.ACCEPTED})


class Transition(BaseModel):
    """One entry of an incident's history."""

    model_config = ConfigDict(extra="forbid")

    at: AwareDatetime
    action: str
    actor: str
    from_status: Status | None
    to_status: Status
    note: str = ""
    event_id: str


class Incident(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    county: str
    source: str
    source_event_id: str
    category: str
    urgency: Urgency
    area: AreaPath
    location: Point | None = None
    title: str
    description: str = ""
    reporter: Reporter | None = None
    photos: list[str] = Field(default_factory=list)
    status: Status
    reported_at: AwareDatetime
    received_at: AwareDatetime
    accepted_at: AwareDatetime | None = None
    closed_at: AwareDatetime | None = None
    updated_at: AwareDatetime
    version: int = 1
    history: list[Transition] = Field(default_factory=list)
    seen: list[str] = Field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def summary(incident: Incident) -> dict[str, Any]:
    """The compact, personal-data-free view used by the changes stream and the walls."""
    loc = incident.location
    return {
        "id": incident.id,
        "title": incident.title,
        "category": incident.category,
        "urgency": incident.urgency.value,
        "status": incident.status.value,
        "grid": incident.area.grid,
        "community": incident.area.community,
        "street": incident.area.street,
        "lon": None if loc is None else round(loc.lon, 6),
        "lat": None if loc is None else round(loc.lat, 6),
        "source": incident.source,
        "reported_at": _iso(incident.reported_at),
        "updated_at": _iso(incident.updated_at),
    }


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="seconds")
