"""Hikvision ISAPI alarm push ("HTTP listening"), docs/feeds.md, hikvision. Pure: bytes
in, items out.

Accepts a bare XML body (any namespace: elements are matched by local name), the JSON
envelope (flat or under ``EventNotificationAlert``), and multipart bodies whose event part is
picked by content type (XML or JSON; by a ``.xml``/``.json`` name only when the type is
missing), with up to three JPEG parts kept as snapshots. ``videoloss`` + ``inactive`` with
``activePostCount`` 0 is a heartbeat; ``duration`` wrappers yield their inner event.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import tzinfo
from typing import Any

from feeds.adapters.devicetime import parse_time
from feeds.adapters.multipart import Part, split
from feeds.adapters.xmlsafe import child_texts, deep_text, find, local, parse_xml, text_of
from feeds.alarms.devices import DeviceAlarm, DeviceHeartbeat, DeviceItem, Identity
from gridwall.contract.alarmtypes import HIKVISION, OTHER
from gridwall.contract.refusal import PayloadError
from gridwall.refdata.model import IdentityKind

VENDOR = "hikvision"
MAX_IMAGES = 3
_XML_TYPES = {"application/xml", "text/xml"}
_JSON_TYPES = {"application/json", "text/json"}
_FIELDS = (
    "ipAddress", "ipv6Address", "macAddress", "channelID", "dynChannelID", "inputIOPortID",
    "dateTime", "activePostCount", "eventType", "eventState", "eventDescription", "channelName",
)  # fmt: skip


def parse(
    body: bytes, content_type: str, *, zone: tzinfo, max_part: int = 2_097_152
) -> list[DeviceItem]:
    """Parse one push; raises PayloadError with the reason."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind.startswith("multipart/"):
        return _multipart(body, content_type, zone, max_part)
    if kind in _JSON_TYPES or (kind not in _XML_TYPES and body.lstrip()[:1] == b"{"):
        return [_from_fields(_json_fields(body), zone, images=())]
    return [_from_fields(_xml_fields(body), zone, images=())]


def _multipart(body: bytes, content_type: str, zone: tzinfo, max_part: int) -> list[DeviceItem]:
    parts = split(body, content_type, max_part=max_part, max_parts=MAX_IMAGES + 6)
    event_part = _pick(parts, _XML_TYPES, ".xml") or _pick(parts, _JSON_TYPES, ".json")
    if event_part is None:
        raise PayloadError("multipart body without an XML or JSON event part")
    images = tuple(p.body for p in parts if _is_jpeg(p))[:MAX_IMAGES]
    if event_part.content_type in _JSON_TYPES or _named(event_part, ".json"):
        fields = _json_fields(event_part.body)
    else:
        fields = _xml_fields(event_part.body)
    return [_from_fields(fields, zone, images=images)]


def _named(part: Part, suffix: str) -> bool:
    return any(n.lower().endswith(suffix) for n in (part.filename, part.name))


def _pick(parts: list[Part], types: set[str], suffix: str) -> Part | None:
    by_type = next((p for p in parts if p.content_type in types), None)
    if by_type is not None:
        return by_type
    return next((p for p in parts if not p.content_type and _named(p, suffix)), None)


def _is_jpeg(part: Part) -> bool:
    return part.body[:3] == b"\xff\xd8\xff" and (
        part.content_type in ("image/jpeg", "image/jpg", "application/octet-stream", "")
    )


# -- XML and JSON to one flat field dict -------------------------------------------------------


def _xml_fields(body: bytes) -> dict[str, str]:
    doc = parse_xml(body)
    alert = find(doc.root, "EventNotificationAlert")
    if alert is None:
        raise PayloadError(f"not an EventNotificationAlert (root {local(doc.root.tag)!r})")
    texts = child_texts(alert)
    fields = {name.lower(): texts.get(name.lower(), "") for name in _FIELDS}
    if fields["eventtype"].lower() == "duration":
        fields["eventtype"] = _inner_type(alert) or ""
    if doc.recovered:
        fields["recovered"] = "1"
    return fields


def _inner_type(alert: ET.Element) -> str | None:
    """The event a ``duration`` wrapper stands for."""
    duration = find(alert, "DurationList")
    if duration is None:
        duration = find(alert, "Duration")
    if duration is not None:
        found = deep_text(duration, "relationEvent", "eventType")
        if found:
            return found
    nested = [
        e for e in alert.iter() if e is not alert and local(e.tag) == "eventnotificationalert"
    ]
    if nested:
        return text_of(nested[0], "eventType")
    return deep_text(alert, "relationEvent")


def _json_fields(body: bytes) -> dict[str, str]:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadError(f"body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise PayloadError("JSON event is not an object")
    lowered = {str(k).lower(): v for k, v in data.items()}
    inner = lowered.get("eventnotificationalert")
    if isinstance(inner, dict):
        lowered = {str(k).lower(): v for k, v in inner.items()}
    fields = {name.lower(): _scalar(lowered.get(name.lower())) for name in _FIELDS}
    if fields["eventtype"].lower() == "duration":
        wrapper = {k: v for k, v in lowered.items() if k in ("durationlist", "duration")}
        fields["eventtype"] = _json_inner(wrapper) or ""
    return fields


def _json_inner(data: Any, depth: int = 0) -> str | None:
    """The first ``relationEvent`` (or nested ``eventType``) under a duration wrapper."""
    if depth > 6:
        return None
    if isinstance(data, dict):
        for key, value in data.items():
            name = str(key).lower()
            if name == "relationevent" and isinstance(value, str):
                return value
            if depth and name == "eventtype" and isinstance(value, str):
                return value
        items: list[Any] = [v for k, v in data.items() if str(k).lower() != "eventtype"]
    elif isinstance(data, list):
        items = data
    else:
        return None
    for item in items:
        found = _json_inner(item, depth + 1)
        if found:
            return found
    return None


def _scalar(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value).strip()


# -- fields to an item ---------------------------------------------------------------------


def _identities(fields: dict[str, str], event: str) -> tuple[Identity, ...]:
    channel = fields["channelid"] or fields["dynchannelid"]
    if event == "io" and fields["inputioportid"]:
        channel = channel or fields["inputioportid"]
    if not channel.isdigit() or not 0 < int(channel) < 100_000:
        channel = "1"
    found = []
    mac = fields["macaddress"].lower().replace("-", ":")
    if len(mac) == 17 and mac.count(":") == 5:
        found.append(Identity(IdentityKind.MAC, f"{mac}/{channel}"))
    for address in (fields["ipaddress"], fields["ipv6address"]):
        if address and len(address) <= 45:
            found.append(Identity(IdentityKind.IP, f"{address}/{channel}"))
    if not found:
        raise PayloadError("the alert names no device (no macAddress or ipAddress)", "macAddress")
    return tuple(found)


def _from_fields(fields: dict[str, str], zone: tzinfo, *, images: tuple[bytes, ...]) -> DeviceItem:
    event = fields["eventtype"].lower()
    if not event:
        raise PayloadError("the alert has no eventType", "eventType")
    identities = _identities(fields, event)
    device_time = parse_time(fields["datetime"], zone, "dateTime") if fields["datetime"] else None
    state = fields["eventstate"].lower() or "active"
    posts = fields["activepostcount"]
    if event == "videoloss" and state == "inactive" and posts in ("", "0"):
        return DeviceHeartbeat(identities, device_time, VENDOR)
    alarm_type = HIKVISION.get(event, OTHER)
    extra: dict[str, Any] = {"event": fields["eventtype"]}
    for name in ("channelname", "activepostcount", "recovered"):
        if fields.get(name):
            extra[name] = fields[name]
    return DeviceAlarm(
        identities=identities,
        alarm_type=alarm_type,
        phase="end" if state == "inactive" else "start",
        device_time=device_time,
        description=fields["eventdescription"][:500],
        images=images,
        extra=extra,
        vendor=VENDOR,
    )
