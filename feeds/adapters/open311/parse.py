"""Open311 GeoReport v2 service requests (a 12345 hotline's work orders): docs/feeds.md,
open311. Pure.

``parse_requests`` reads a ``requests.json`` answer; ``to_records`` turns one request into the
event records gridwall takes: a report (``service_code`` mapped to a category, ``lat``/``long``
in the source's CRS, ``requested_datetime`` kept as the report time) and, when its status maps
to a gridwall status, a status update at ``updated_datetime``. The address is personal data
and not copied; a ``media_url`` becomes a photo link.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, tzinfo
from typing import Any

from feeds.adapters.devicetime import parse_time
from feeds.adapters.open311.config import Open311Source
from gridwall.contract.refusal import PayloadError

#: GeoReport's bound on one answer.
PAGE_MAX = 1000


def parse_requests(body: bytes) -> list[dict[str, Any]]:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadError(f"answer is not JSON: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("service_requests"), list):
        data = data["service_requests"]
    if not isinstance(data, list):
        raise PayloadError("answer is not a list of service requests")
    return [item for item in data if isinstance(item, dict)]


def _text(value: Any, limit: int) -> str:
    return str(value).strip()[:limit] if value is not None else ""


def to_records(
    request: dict[str, Any], source: Open311Source, zone: tzinfo
) -> list[dict[str, Any]]:
    """The event records one service request stands for; raises PayloadError."""
    request_id = _text(request.get("service_request_id"), 128)
    if not request_id:
        raise PayloadError("service request without service_request_id", "service_request_id")
    code = _text(request.get("service_code"), 64)
    category = source.services.get(code, source.default_category)
    if not category:
        raise PayloadError(f"no category for service_code {code!r}", "service_code")
    requested = request.get("requested_datetime")
    if not requested:
        raise PayloadError("service request without requested_datetime", "requested_datetime")
    reported = parse_time(requested, zone, "requested_datetime")
    report: dict[str, Any] = {
        "source": source.id,
        "source_event_id": request_id,
        "category": category,
        "urgency": source.urgency.value,
        "reported_at": reported.isoformat(),
        "title": _text(request.get("service_name"), 100)
        or _text(request.get("description"), 60)
        or f"12345 {request_id}",
        "description": _text(request.get("description"), 4000),
    }
    lat, lon = request.get("lat"), request.get("long")
    if isinstance(lat, int | float | str) and isinstance(lon, int | float | str) and lat != "":
        try:
            report["location"] = {"lon": float(lon), "lat": float(lat), "crs": source.crs.value}
        except ValueError:
            raise PayloadError("lat/long are not numbers", "lat") from None
    media = request.get("media_url")
    if isinstance(media, str) and media.startswith(("http://", "https://")) and len(media) < 2000:
        report["photos"] = [media]
    records = [report]
    status = _text(request.get("status"), 32).lower()
    mapped = source.statuses.get(status)
    if mapped:
        updated = request.get("updated_datetime") or requested
        records.append(
            {
                "source": source.id,
                "source_event_id": f"{request_id}:{mapped}",
                "kind": "status",
                "ref": request_id,
                "status": mapped,
                "reported_at": parse_time(updated, zone, "updated_datetime").isoformat(),
                "note": _text(request.get("status_notes"), 2000),
            }
        )
    return records


def windows(cursor: datetime, now: datetime, page: timedelta) -> list[tuple[datetime, datetime]]:
    """Date windows from the cursor to now, each at most ``page`` long."""
    found = []
    start = cursor
    while start < now:
        end = min(start + page, now)
        found.append((start, end))
        start = end
    return found
