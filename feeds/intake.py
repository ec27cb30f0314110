"""Intake: validate and enrich public input into normalized events.

Every feed ends here. ``normalize()`` turns public input into a normalized event (WGS-84
coordinates, the grid resolved from the point when absent, its ancestors attached) or raises
``IntakeError`` with one reason per field. The caller appends what passed to the inbox
(``gridwall.contract.inbox.Inbox``: atomic with its de-duplication key) and keeps what was
refused in the dead letters (``gridwall.contract.deadletter``): nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import redis
from pydantic import ValidationError

from gridwall.contract.deadletter import DeadLetters
from gridwall.contract.events import (
    AreaPath,
    EventIn,
    Normalized,
    Point,
    Report,
    StatusUpdate,
    dedup_field,
)
from gridwall.contract.geo import to_wgs84
from gridwall.contract.inbox import Enqueued, Inbox, new_event_id
from gridwall.contract.refusal import FieldError, IntakeError
from gridwall.platform.keys import Keys
from gridwall.refdata.registry import Registry
from gridwall.runtime import Runtime


def validation_errors(exc: ValidationError, prefix: str = "") -> list[FieldError]:
    """Pydantic errors as field reasons (``location.lat: ...``)."""
    found = []
    for item in exc.errors(include_url=False):
        loc = ".".join(str(part) for part in item["loc"])
        field = f"{prefix}{loc}" if loc else (prefix.rstrip(".") or "body")
        reason = str(item["msg"]).removeprefix("Value error, ")
        found.append(FieldError(field, reason))
    return found


class Intake:
    """Normalizes public input for one county, appends it to the inbox (``Inbox``) and keeps
    what was refused in the dead letters (``DeadLetters``)."""

    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        tz: ZoneInfo,
        deadletter_maxlen: int,
        *,
        inbox: Inbox | None = None,
        deadletters: DeadLetters | None = None,
    ):
        self._client = client
        self._keys = keys
        self.inbox = inbox or Inbox(client, keys, tz)
        self.deadletters = deadletters or DeadLetters(client, keys, tz, deadletter_maxlen)
        self._paths: dict[tuple[str, int, str | None], AreaPath] = {}

    # -- normalization -------------------------------------------------------------------
    def normalize(self, event: EventIn, registry: Registry, now: datetime) -> Normalized:
        """Public input → normalized event; raises IntakeError."""
        if event.kind == "status":
            return self._status(event, now)
        return self._report(event, registry, now)

    def normalize_many(
        self, events: Sequence[EventIn], registry: Registry, now: datetime
    ) -> list[Normalized | IntakeError]:
        """``normalize`` for a batch (an HTTP array): the same results, each event's error in
        its place, with the points that need a grid located in one vectorised pass."""
        points: dict[int, tuple[float, float]] = {}
        for index, event in enumerate(events):
            if event.kind == "report" and event.location is not None:
                loc = event.location
                points[index] = to_wgs84(loc.lon, loc.lat, loc.crs)
        unknown = [i for i in points if events[i].grid is None]
        located = registry.locate_many(
            [points[i][0] for i in unknown], [points[i][1] for i in unknown]
        )
        grids = dict(zip(unknown, located, strict=True))
        found: list[Normalized | IntakeError] = []
        for index, event in enumerate(events):
            try:
                if event.kind == "status":
                    found.append(self._status(event, now))
                else:
                    where = (points[index], grids.get(index)) if index in points else None
                    found.append(self._report(event, registry, now, where))
            except IntakeError as exc:
                found.append(exc)
        return found

    def _report(
        self,
        event: EventIn,
        registry: Registry,
        now: datetime,
        where: tuple[tuple[float, float], str | None] | None = None,
    ) -> Report:
        """``where``: the WGS-84 point and the grid located for it, when the caller batched
        them (``normalize_many``)."""
        errors: list[FieldError] = []
        assert event.category is not None  # EventIn's rules
        if registry.category(event.category) is None:
            errors.append(FieldError("category", f"unknown category {event.category!r}"))
        point = None
        grid = event.grid
        if event.location is not None:
            if where is None:
                lon, lat = to_wgs84(event.location.lon, event.location.lat, event.location.crs)
                located = registry.locate(lon, lat) if grid is None else None
            else:
                (lon, lat), located = where
            point = Point(lon=round(lon, 7), lat=round(lat, 7))
            if grid is None:
                grid = located
                if grid is None:
                    errors.append(FieldError("location", "outside every grid of this county"))
        if grid is not None and event.grid is not None:
            area = registry.area(grid)
            if area is None or area.level.value != "grid":
                errors.append(FieldError("grid", f"unknown grid {grid!r}"))
        if errors:
            raise IntakeError(errors)
        return Report(
            event_id=new_event_id(),
            source=event.source,
            source_event_id=event.source_event_id,
            received_at=now,
            category=event.category,
            urgency=event.urgency,
            area=self._path(registry, grid),
            location=point,
            reported_at=event.reported_at,
            title=event.title,
            description=event.description,
            reporter=event.reporter,
            photos=event.photos,
        )

    def _path(self, registry: Registry, grid: str | None) -> AreaPath:
        """``registry.path`` remembered per registry version (it walks the hierarchy)."""
        key = (registry.county, registry.version, grid)
        found = self._paths.get(key)
        if found is None:
            if len(self._paths) > 100_000:
                self._paths.clear()
            found = self._paths[key] = registry.path(grid)
        return found

    def _status(self, event: EventIn, now: datetime) -> StatusUpdate:
        incident_id = event.incident_id
        if incident_id is None:
            assert event.ref is not None  # EventIn's rules
            raw = self._client.hget(self._keys.dedup, dedup_field(event.source, event.ref))
            if raw is None:
                raise IntakeError(
                    [FieldError("ref", f"no report {event.ref!r} from source {event.source!r}")]
                )
            incident_id = raw.decode() if isinstance(raw, bytes) else str(raw)
        elif not self._client.exists(self._keys.incident(incident_id)):
            raise IntakeError([FieldError("incident_id", f"unknown incident {incident_id!r}")])
        assert event.status is not None
        return StatusUpdate(
            event_id=new_event_id(),
            source=event.source,
            source_event_id=event.source_event_id,
            received_at=now,
            incident_id=incident_id,
            status=event.status,
            at=event.reported_at,
            note=event.note,
        )

    @classmethod
    def for_runtime(cls, rt: Runtime) -> Intake:
        """The intake of a process, on its inbox and dead letters."""
        maxlen = rt.settings.processor.deadletter_maxlen
        return cls(rt.client, rt.keys, rt.tz, maxlen, inbox=rt.inbox, deadletters=rt.deadletters)

    # -- what passed (what was refused goes to ``self.deadletters``) -----------------------
    def enqueue(self, events: Sequence[Normalized]) -> list[Enqueued]:
        """Append events atomically with their de-duplication key (``Inbox.enqueue``)."""
        return self.inbox.enqueue(events)
