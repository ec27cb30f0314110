"""The HTTP JSON source's work once a request is admitted (``feeds/http/events.py`` does the
authentication, signatures and body caps): rate limit, validation and normalization of every
event (all-or-nothing), photos stored, the append to the inbox, source health."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from feeds.adapters.http.config import HttpSource
from feeds.adapters.http.parse import Body, Limits, parse_body
from feeds.intake import validation_errors
from feeds.sources.guards import take_rate
from feeds.sources.sink import FeedSink
from gridwall.access.roles import Principal
from gridwall.contract.events import EventIn, Normalized, Report
from gridwall.contract.inbox import Enqueued
from gridwall.contract.media import image_type
from gridwall.contract.refusal import FieldError, IntakeError, Refused


@dataclass
class Accepted:
    results: list[Enqueued]
    fresh: int
    source: str


def limits_of(sink: FeedSink, source: HttpSource | None) -> Limits:
    settings = sink.rt.settings
    return Limits(
        max_events=settings.http.max_batch_events,
        photo_max_bytes=settings.feeds.photo_max_bytes,
        photo_max_count=settings.feeds.photo_max_count,
        uploads=source is None or source.photos,
    )


def accept(
    sink: FeedSink, principal: Principal, source: HttpSource | None, data: bytes, ctype: str
) -> Accepted:
    """Everything after admission (synchronous: runs in a worker thread); raises Refused."""
    body = parse_body(data, ctype, limits_of(sink, source))
    name = principal.source or _claimed(body.items)
    if source is not None and source.rate_per_min:
        _rate(sink, name, len(body.items), source.rate_per_min)
    normalized = attach_photos(sink, body, normalize_all(sink, body.items, principal))
    results = sink.intake.enqueue(normalized)
    fresh = sum(not r.duplicate for r in results)
    if fresh:
        sink.health.event(name, fresh)
    return Accepted(results, fresh, name)


def _claimed(items: list[Any]) -> str:
    first = items[0] if items else None
    source = first.get("source") if isinstance(first, dict) else None
    return source if isinstance(source, str) and len(source) <= 64 else "unknown"


def _rate(sink: FeedSink, name: str, count: int, limit: int) -> None:
    rt = sink.rt
    retry = take_rate(
        rt.client, rt.keys, name, count, limit_per_min=limit, now=rt.now().timestamp()
    )
    if retry is not None:
        raise Refused(
            429,
            f"rate limit of {limit} events per minute reached",
            [FieldError("body", "rate limit")],
            {"Retry-After": str(int(retry))},
        )


def normalize_all(sink: FeedSink, items: list[Any], principal: Principal) -> list[Normalized]:
    """Every item validated and normalized, or a Refused (422) with every field's reason."""
    rt = sink.rt
    errors: dict[int, list[FieldError]] = {}
    valid: list[tuple[int, EventIn]] = []
    for index, item in enumerate(items):
        prefix = f"[{index}]." if len(items) > 1 else ""
        try:
            event = EventIn.model_validate(item)
        except ValidationError as exc:
            errors[index] = validation_errors(exc, prefix)
            continue
        if principal.source is not None and event.source != principal.source:
            reason = f"this token may only post as {principal.source!r}"
            errors[index] = [FieldError(f"{prefix}source", reason)]
            continue
        valid.append((index, event))
    done = sink.intake.normalize_many([e for _, e in valid], rt.registry.get(), rt.now())
    normalized: list[Normalized] = []
    for (index, _event), result in zip(valid, done, strict=True):
        if isinstance(result, IntakeError):
            prefix = f"[{index}]." if len(items) > 1 else ""
            errors[index] = [FieldError(f"{prefix}{e.field}", e.reason) for e in result.errors]
        else:
            normalized.append(result)
    if errors:
        raise Refused(422, "invalid event", [e for i in sorted(errors) for e in errors[i]])
    return normalized


def attach_photos(sink: FeedSink, body: Body, events: list[Normalized]) -> list[Normalized]:
    """Store the uploads (checked first: nothing is stored for a refused request)."""
    if not body.photos:
        return events
    feeds = sink.rt.settings.feeds
    for index, images in body.photos.items():
        report = events[index] if index < len(events) else None
        if not isinstance(report, Report):
            raise Refused(422, f"photo.{index} has no report to attach to")
        for image in images:
            if len(image) > feeds.photo_max_bytes or image_type(image) is None:
                raise Refused(415, "photos must be JPEG, PNG or WebP within the size cap")
        if len(report.photos) + len(images) > feeds.photo_max_count:
            raise Refused(413, f"more than {feeds.photo_max_count} photos on one event")
    day = sink.rt.now()
    attached = list(events)
    for index, images in body.photos.items():
        report = attached[index]
        assert isinstance(report, Report)
        refs = [
            "/api/v1/photos/" + sink.photos.save(image, day, allowed=("jpg", "png", "webp"))
            for image in images
        ]
        attached[index] = report.model_copy(update={"photos": [*report.photos, *refs]})
    return attached
