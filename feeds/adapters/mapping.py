"""Declarative mapping of upstream records (JSON objects, spreadsheet rows) to events.

A mapping names, for each field of ``EventIn`` (dotted for nested ones: ``location.lon``),
where the value is in the record (a dotted path into JSON, or a column header), plus constants,
value tables for categories and statuses, and how times are written. A record whose mapped
``status`` is set (and optionally ``status_at``) yields the report and then a status update,
so a backfilled case arrives closed with its real history. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingType
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from feeds.adapters.devicetime import parse_time
from gridwall.contract.refusal import PayloadError
from gridwall.platform.settings.base import Strict

#: Fields a mapping may fill: EventIn's, plus ``status_at`` (when the mapped status happened).
TARGETS = frozenset(
    {
        "source_event_id", "kind", "category", "urgency", "grid", "location.lon",
        "location.lat", "location.crs", "reported_at", "title", "description",
        "reporter.name", "reporter.phone", "ref", "incident_id", "status", "note", "photos",
        "status_at",
    }
)  # fmt: skip
_NUMBERS = {"location.lon", "location.lat"}
_TIMES = {"reported_at", "status_at"}


class FieldMapping(Strict):
    fields: dict[str, str] = Field(
        default_factory=dict, description="Event field → path in the record (or column)."
    )
    constants: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="Event field → fixed value (when the record has none)."
    )
    categories: dict[str, str] = Field(
        default_factory=dict, description="Upstream category value → catalogue code."
    )
    statuses: dict[str, str] = Field(
        default_factory=dict, description="Upstream status value → gridwall status word."
    )
    time_format: str | None = Field(None, description="strptime format of times that are not ISO.")
    timezone: str | None = Field(None, description="Zone of times without an offset.")

    @field_validator("fields", "constants")
    @classmethod
    def _known_targets(cls, value: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(value) - TARGETS)
        if unknown:
            raise ValueError(f"unknown event field(s) {', '.join(unknown)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {value!r}") from None
        return value


def identity_mapping() -> FieldMapping:
    """Columns named like the event's fields (``location.lon`` or ``lon``, ``lat``)."""
    fields = {t: t for t in TARGETS}
    fields.update({"location.lon": "lon", "location.lat": "lat", "location.crs": "crs"})
    return FieldMapping(fields=fields)


def get_path(record: MappingType[str, Any], path: str) -> Any:
    """``a.b.0.c`` into nested objects and lists; a key containing dots is tried whole first."""
    if path in record:
        return record[path]
    current: Any = record
    for part in path.split("."):
        if isinstance(current, MappingType):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
        if current is None:
            return None
    return current


def _set(target: dict[str, Any], path: str, value: Any) -> None:
    head, _, rest = path.partition(".")
    if rest:
        _set(target.setdefault(head, {}), rest, value)
    else:
        target[head] = value


def _time_value(mapping: FieldMapping, name: str, value: Any, zone: ZoneInfo) -> str:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=zone)).isoformat()
    if mapping.time_format and isinstance(value, str):
        try:
            parsed = datetime.strptime(value.strip(), mapping.time_format)
        except ValueError:
            reason = f"time {value[:40]!r} is not {mapping.time_format}"
            raise PayloadError(reason, name) from None
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)).isoformat()
    return parse_time(value, zone, name).isoformat()


def _convert(mapping: FieldMapping, name: str, value: Any, zone: ZoneInfo) -> Any:
    if name in _NUMBERS:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise PayloadError(f"not a number: {str(value)[:40]!r}", name) from None
    if name in _TIMES:
        return _time_value(mapping, name, value, zone)
    if name in ("category", "status"):
        text = str(value).strip()
        table = mapping.categories if name == "category" else mapping.statuses
        return table.get(text, text)
    if name == "photos":
        if isinstance(value, str):
            return [p for p in value.replace(",", " ").split() if p]
        return list(value) if isinstance(value, list) else value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value) if name in {"source_event_id", "grid", "ref", "title"} else value
    return value.strip() if isinstance(value, str) else value


def apply_mapping(
    mapping: FieldMapping, record: MappingType[str, Any], source: str, default_zone: ZoneInfo
) -> list[dict[str, Any]]:
    """One record → the ``EventIn`` dicts it stands for (a report, maybe its status update).

    Raises PayloadError for values that cannot be converted (the field is named).
    """
    zone = ZoneInfo(mapping.timezone) if mapping.timezone else default_zone
    values: dict[str, Any] = {}
    for name, path in mapping.fields.items():
        value = get_path(record, path)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        values[name] = _convert(mapping, name, value, zone)
    for name, constant in mapping.constants.items():
        values.setdefault(name, _convert(mapping, name, constant, zone))
    status, status_at = values.pop("status", None), values.pop("status_at", None)
    event: dict[str, Any] = {"source": source}
    for name, value in values.items():
        _set(event, name, value)
    kind = event.get("kind", "report")
    if kind == "status" or status is None:
        if kind == "status" and status is not None:
            event["status"] = status
        return [event]
    follow = {
        "source": source,
        "source_event_id": f"{event.get('source_event_id', '')}:{status}",
        "kind": "status",
        "ref": event.get("source_event_id"),
        "status": status,
        "reported_at": status_at or event.get("reported_at"),
    }
    return [event, follow]
