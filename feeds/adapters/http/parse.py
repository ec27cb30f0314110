"""Bodies of ``POST /api/v1/events``: JSON (one event or an array) or multipart with photos.
Pure: bytes in, the event records and the uploaded images out, or a ``Refused`` with the HTTP
status, the reason and the field errors."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from feeds.adapters.multipart import Part, split
from gridwall.contract.refusal import FieldError, PayloadError, Refused


@dataclass
class Body:
    items: list[Any]
    #: index of the event → images uploaded for it (multipart ``photo`` / ``photo.<n>``).
    photos: dict[int, list[bytes]] = field(default_factory=dict)


@dataclass(frozen=True)
class Limits:
    max_events: int
    photo_max_bytes: int
    photo_max_count: int
    uploads: bool = True


def parse_body(data: bytes, content_type: str, limits: Limits) -> Body:
    """The records (and uploads) of a body; raises Refused."""
    kind = content_type.split(";", 1)[0].strip().lower()
    body = Body(items=[])
    if kind == "multipart/form-data":
        data = _multipart(data, content_type, limits, body)
    elif "json" not in kind:
        raise Refused(415, "content type must be application/json or multipart/form-data")
    try:
        decoded = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Refused(400, f"body is not JSON: {exc}") from None
    body.items = decoded if isinstance(decoded, list) else [decoded]
    if not body.items:
        raise Refused(422, "empty array", [FieldError("body", "no events")])
    if len(body.items) > limits.max_events:
        reason = f"more than {limits.max_events} events"
        raise Refused(413, reason, [FieldError("body", "too many events")])
    return body


def _multipart(data: bytes, content_type: str, limits: Limits, body: Body) -> bytes:
    if not limits.uploads:
        raise Refused(415, "this source does not accept uploads")
    try:
        parts = split(
            data,
            content_type,
            max_part=limits.photo_max_bytes,
            max_parts=limits.photo_max_count + 1,
        )
    except PayloadError as exc:
        status = 413 if "larger" in exc.reason or "more than" in exc.reason else 400
        raise Refused(status, exc.reason, [FieldError("body", exc.reason)]) from None
    event = next((p for p in parts if p.name == "event"), None)
    if event is None:
        raise Refused(400, "multipart body without an 'event' part")
    for part in parts:
        if part is not event:
            body.photos.setdefault(_photo_index(part), []).append(part.body)
    return event.body


def _photo_index(part: Part) -> int:
    name = part.name
    if name == "photo":
        return 0
    head, _, number = name.partition(".")
    if head == "photo" and number.isdigit():
        return int(number)
    raise Refused(400, f"unexpected part {name!r} (use 'event', 'photo' or 'photo.<n>')")


def body_source(data: bytes) -> str:
    """The ``source`` a refused body claims (for the dead letter), else ``unknown``."""
    try:
        decoded = json.loads(data)
    except ValueError:
        return "unknown"
    first = decoded[0] if isinstance(decoded, list) and decoded else decoded
    source = first.get("source") if isinstance(first, dict) else None
    return source if isinstance(source, str) and len(source) <= 64 else "unknown"
