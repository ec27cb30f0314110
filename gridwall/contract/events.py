"""The event contract: public input and the normalized events of the inbox.

One module owns the schema. ``SCHEMA_VERSION`` is written into every inbox entry; a reader that
meets a newer version refuses it into the dead-letter stream instead of guessing.

Two layers:

* ``EventIn``: what ``POST /api/v1/events`` accepts (one object or an array), validated strictly
  (unknown fields are errors, times need an offset).
* The normalized events (``Report``, ``StatusUpdate``, ``Alarm``, ``Action``, ``SlaSignal``) that
  adapters append to the inbox and the processor applies. Coordinates in them are WGS-84 only,
  the grid is resolved and its ancestors are attached.

Fields holding personal information carry ``json_schema_extra={"x-personal": <kind>}``
(``name``, ``phone``, ``id_number``, ``address``); ``personal_paths()`` lists them and the masking
in ``gridwall.access.privacy`` is driven by that marker alone.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, get_args, get_origin

import msgspec
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    field_validator,
    model_validator,
)

SCHEMA_VERSION = 1

SOURCE_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
#: A photo is an http(s) URL or a reference to an upload stored by gridwall.
PHOTO_PATTERN = r"^(https?://\S{1,2000}|/api/v1/photos/[0-9]{8}/[0-9a-f]{32}\.(jpg|png|webp))$"
MAX_PHOTOS = 9
GRID_PATTERN = r"^\d{6,24}$"
PERSONAL = "x-personal"


class PersonalKind(StrEnum):
    NAME = "name"
    PHONE = "phone"
    ID_NUMBER = "id_number"
    ADDRESS = "address"
    #: A short free text (a title) that may hold personal data typed by people: phone and
    #: ID-card numbers in it are masked on every read; the retention purge keeps it masked.
    TEXT = "text"
    #: A narrative (description, note): masked like ``text`` on every read, and dropped by the
    #: retention purge (names and addresses in prose cannot be found reliably).
    NOTE = "note"


def personal(kind: PersonalKind) -> dict[str, Any]:
    """Schema marker of a personal field."""
    return {PERSONAL: kind.value}


class Crs(StrEnum):
    """Coordinate reference systems accepted at the edge; only WGS-84 is stored."""

    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"


class Urgency(StrEnum):
    URGENT = "urgent"  # 紧急
    NORMAL = "normal"  # 一般


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Location(Strict):
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    crs: Crs = Crs.WGS84


class Reporter(Strict):
    """Who reported: personal information, masked on every read without the right."""

    name: str | None = Field(None, max_length=64, json_schema_extra=personal(PersonalKind.NAME))
    phone: str | None = Field(
        None,
        max_length=32,
        pattern=r"^\+?[0-9][0-9 -]{2,30}$",
        json_schema_extra=personal(PersonalKind.PHONE),
    )
    id_number: str | None = Field(
        None,
        max_length=18,
        pattern=r"^[0-9]{15}$|^[0-9]{17}[0-9Xx]$",
        json_schema_extra=personal(PersonalKind.ID_NUMBER),
    )
    address: str | None = Field(
        None, max_length=200, json_schema_extra=personal(PersonalKind.ADDRESS)
    )


# -- public input ----------------------------------------------------------------------------


class EventIn(Strict):
    """One event as posted to ``POST /api/v1/events``.

    ``kind`` ``report`` opens an incident; ``status`` reports a status change of an incident
    that the same source reported before (``ref`` is that report's ``source_event_id``) or of
    a known ``incident_id``.
    """

    source: str = Field(pattern=SOURCE_PATTERN, description="Sending system, e.g. `gridapp`.")
    source_event_id: str = Field(
        min_length=1, max_length=128, description="Id of the event in its source."
    )
    kind: Literal["report", "status"] = "report"
    category: str | None = Field(
        None, pattern=r"^[A-Za-z0-9._-]{1,32}$", description="Catalogue code."
    )
    urgency: Urgency = Urgency.NORMAL
    grid: str | None = Field(None, pattern=GRID_PATTERN)
    location: Location | None = None
    reported_at: AwareDatetime
    title: str = Field("", max_length=200, json_schema_extra=personal(PersonalKind.TEXT))
    description: str = Field("", max_length=4000, json_schema_extra=personal(PersonalKind.NOTE))
    reporter: Reporter | None = None
    ref: str | None = Field(None, max_length=128, description="status: the report's event id.")
    incident_id: str | None = Field(None, max_length=64)
    status: str | None = Field(None, max_length=32, description="status: the new status.")
    note: str = Field("", max_length=2000, json_schema_extra=personal(PersonalKind.NOTE))
    photos: list[Annotated[str, Field(pattern=PHOTO_PATTERN)]] = Field(
        default_factory=list,
        max_length=MAX_PHOTOS,
        description="Photo URLs (http/https) or references of uploads (multipart).",
    )

    @model_validator(mode="after")
    def _kind_rules(self) -> EventIn:
        if self.kind == "report":
            missing = [name for name in ("category", "title") if not getattr(self, name)]
            if missing:
                raise ValueError(f"a report needs {' and '.join(missing)}")
            if self.grid is None and self.location is None:
                raise ValueError("a report needs a grid or a location")
        elif self.status is None or (self.ref is None and self.incident_id is None):
            raise ValueError("a status update needs status and ref or incident_id")
        return self


# -- normalized events (the inbox) ------------------------------------------------------------


class AreaPath(Strict):
    """The grid and its ancestors, resolved from the reference data at intake."""

    grid: str | None = None
    community: str | None = None
    street: str | None = None
    county: str


class Point(Strict):
    """A WGS-84 position."""

    lon: float
    lat: float


class Normalized(Strict):
    v: int = SCHEMA_VERSION
    event_id: str = Field(description="Unique id of this event (uuid4 hex).")
    source: str
    source_event_id: str
    received_at: AwareDatetime
    incident_id: str | None = None

    @field_validator("v")
    @classmethod
    def _known_version(cls, value: int) -> int:
        if value > SCHEMA_VERSION:
            raise ValueError(f"schema version {value} is newer than this reader ({SCHEMA_VERSION})")
        return value


class Report(Normalized):
    type: Literal["report"] = "report"
    category: str
    urgency: Urgency
    area: AreaPath
    location: Point | None = None
    reported_at: AwareDatetime
    title: str = Field(json_schema_extra=personal(PersonalKind.TEXT))
    description: str = Field("", json_schema_extra=personal(PersonalKind.NOTE))
    reporter: Reporter | None = None
    photos: list[str] = Field(default_factory=list)


class StatusUpdate(Normalized):
    type: Literal["status"] = "status"
    status: str
    at: AwareDatetime
    note: str = Field("", json_schema_extra=personal(PersonalKind.NOTE))


class Action(Normalized):
    """A lifecycle action taken by a person (accept, dispatch, close ...)."""

    type: Literal["action"] = "action"
    action: str
    actor: str
    at: AwareDatetime
    department: str | None = None
    note: str = Field("", json_schema_extra=personal(PersonalKind.NOTE))
    params: dict[str, Any] = Field(default_factory=dict)


class Alarm(Normalized):
    """A video or device alarm, resolved to a camera where the registry knows it."""

    type: Literal["alarm"] = "alarm"
    camera_id: str | None = None
    device_key: str = Field(description="The identity the device sent (MAC+channel, GB id ...).")
    alarm_type: str
    priority: int = Field(ge=1, le=4)
    device_time: datetime | None = None
    area: AreaPath | None = None
    location: Point | None = None
    description: str = ""
    snapshots: list[str] = Field(default_factory=list)
    raw_ref: str | None = None
    phase: Literal["start", "end", "pulse"] = Field(
        "start", description="start of an alarm (or a repeat), its end, or a one-shot pulse."
    )
    vendor: str = Field("", description="Which adapter parsed it (hikvision, dahua ...).")
    extra: dict[str, str | int | float | bool | None] = Field(
        default_factory=dict, description="Vendor details kept for display (channel name ...)."
    )


class SlaSignal(Normalized):
    """A warning or breach emitted by the SLA clock for one stage of one incident."""

    type: Literal["sla"] = "sla"
    signal: Literal["warning", "breach"]
    stage: str
    threshold: int = Field(ge=1, le=1000, description="Percent of the stage's limit.")
    repeat: int = Field(
        0, ge=0, description="0: the warning or breach itself; k ≥ 1: escalation step k."
    )
    deadline: AwareDatetime = Field(description="The deadline the signal was planned for.")
    at: AwareDatetime = Field(description="When the threshold was crossed.")


InboxEvent = Annotated[
    Report | StatusUpdate | Action | Alarm | SlaSignal, Field(discriminator="type")
]
INBOX_ADAPTER: TypeAdapter[Report | StatusUpdate | Action | Alarm | SlaSignal] = TypeAdapter(
    InboxEvent
)


def parse_inbox_event(data: str | bytes) -> Report | StatusUpdate | Action | Alarm | SlaSignal:
    """Parse one inbox entry's JSON; raises pydantic.ValidationError."""
    return INBOX_ADAPTER.validate_json(data)


def dedup_field(source: str, source_event_id: str) -> str:
    """The de-duplication key of an event."""
    return f"{source}|{source_event_id}"


def personal_paths(model: type[Any], prefix: str = "") -> dict[str, PersonalKind]:
    """Dotted paths of the personal fields of a model (recursing into sub-models).

    ``model`` is a pydantic model (``json_schema_extra`` markers) or a msgspec struct (the
    stored documents, ``gridwall.platform.document``: ``msgspec.Meta(extra=...)`` markers)."""
    found: dict[str, PersonalKind] = {}
    for name, annotation, extra in _fields(model):
        path = f"{prefix}{name}"
        if isinstance(extra, dict) and PERSONAL in extra:
            found[path] = PersonalKind(str(extra[PERSONAL]))
        for sub in _model_types(annotation):
            found.update(personal_paths(sub, f"{path}."))
    return found


def _fields(model: type[Any]) -> list[tuple[str, Any, Any]]:
    """(name, annotation, marker dict) of each field of a pydantic model or msgspec struct."""
    if issubclass(model, BaseModel):
        return [(n, i.annotation, i.json_schema_extra) for n, i in model.model_fields.items()]
    found = []
    for info in msgspec.structs.fields(model):
        extra = None
        if get_origin(info.type) is Annotated:
            metas = [m for m in get_args(info.type)[1:] if isinstance(m, msgspec.Meta)]
            extra = next((m.extra for m in metas if m.extra), None)
        found.append((info.name, info.type, extra))
    return found


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel | msgspec.Struct)


def _model_types(annotation: Any) -> list[type[Any]]:
    if _is_model(annotation):
        return [annotation]
    found: list[type[Any]] = []
    for arg in getattr(annotation, "__args__", ()):
        if _is_model(arg):
            found.append(arg)
        elif get_origin(arg) is not None:  # e.g. list[Transition] inside an Optional
            found.extend(_model_types(arg))
    return found


_INCIDENT_ID = re.compile(r"^\d{6}-\d{8}-\d{5,}$")


def is_incident_id(value: str) -> bool:
    """Incident ids read ``<county>-<YYYYMMDD>-<number>``, e.g. ``320115-20261127-00042``."""
    return bool(_INCIDENT_ID.match(value))
