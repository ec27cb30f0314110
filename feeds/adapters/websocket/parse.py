"""Messages of a websocket upstream → event records, by the source's declarative mapping. Pure.

A message is JSON; ``events_path`` points at the event (or list of events) inside it, else the
whole message is one event. Messages without events there (acknowledgements, pings) yield
nothing. Each record is mapped on its own: a bad one is reported, the others go in. The last
record's id (``resume.id_field``) is where a reconnect resumes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from feeds.adapters.mapping import apply_mapping, get_path
from feeds.adapters.websocket.config import WebsocketSource
from gridwall.contract.refusal import PayloadError


@dataclass
class Parsed:
    records: list[dict[str, Any]] = field(default_factory=list)
    refused: list[tuple[str, Any]] = field(default_factory=list)
    last_id: str | None = None


def parse_message(payload: str | bytes, source: WebsocketSource, zone: ZoneInfo) -> Parsed:
    """Raises PayloadError when the message itself is not JSON."""
    try:
        message = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadError(f"message is not JSON: {exc}") from None
    if source.events_path:
        found = get_path(message, source.events_path) if isinstance(message, dict) else None
    else:
        found = message
    items = found if isinstance(found, list) else [found] if isinstance(found, dict) else []
    parsed = Parsed()
    id_field = source.resume.id_field if source.resume else None
    for item in items:
        if not isinstance(item, dict):
            parsed.refused.append(("event is not a JSON object", item))
            continue
        try:
            parsed.records += apply_mapping(source.mapping, item, source.id, zone)
        except PayloadError as exc:
            parsed.refused.append((f"{exc.field}: {exc.reason}", item))
        if id_field:
            value = get_path(item, id_field)
            if value is not None and str(value).strip():
                parsed.last_id = str(value)[:200]
    return parsed
