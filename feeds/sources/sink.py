"""The sink every feed delivers to: events, device items and refusals, with source health.

One ``FeedSink`` per process (created with the runtime). Adapters call it
from a worker thread (it talks to Redis synchronously); the HTTP routes call it through
``run_in_threadpool``. Nothing is dropped silently: every refusal goes to the dead letters with
the raw payload and the reason, and counts in the source's health.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from feeds.alarms.devices import DeviceAlarm, DeviceItem
from feeds.alarms.intake import AlarmIntake, Taken
from feeds.intake import Intake, validation_errors
from feeds.sources.credentials import SourceTokens
from gridwall.contract.events import EventIn, Normalized, StatusUpdate
from gridwall.contract.health import HealthRecorder
from gridwall.contract.media import MediaStore
from gridwall.contract.refusal import FieldError, IntakeError
from gridwall.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass
class Submitted:
    """What a batch of upstream records amounted to."""

    accepted: int = 0
    duplicates: int = 0
    refused: int = 0
    incident_ids: list[str] = field(default_factory=list)
    #: (index of the record, reason) of every refused record.
    refusals: list[tuple[int, str]] = field(default_factory=list)


class FeedSink:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        settings = rt.settings
        self.health = HealthRecorder(rt.client, rt.keys, settings.feeds.health_flush_s)
        self.snapshots = MediaStore(
            settings.data_dir / "snapshots",
            settings.alarms.snapshot_max_bytes,
            settings.alarms.snapshot_budget_mb * 1_048_576,
        )
        self.photos = MediaStore(
            settings.data_dir / "photos",
            settings.feeds.photo_max_bytes,
            settings.feeds.photo_budget_mb * 1_048_576,
        )
        self.alarms = AlarmIntake(rt.client, rt.keys, rt.tz, settings.alarms, self.snapshots)
        self.tokens = SourceTokens(rt.client, rt.keys)
        self.intake = Intake.for_runtime(rt)

    def zone(self, name: str | None) -> ZoneInfo:
        """A source's zone for times without an offset (the county's by default)."""
        if not name:
            return self.rt.tz
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return self.rt.tz

    # -- refusals ------------------------------------------------------------------------
    def refuse(
        self,
        source: str,
        endpoint: str,
        reasons: Sequence[FieldError] | str,
        raw: bytes | str,
        *,
        remote: str = "",
    ) -> str:
        """Dead-letter refused input and count it in the source's health; returns the entry."""
        entry = self.intake.deadletters.write(source, endpoint, reasons, raw, remote=remote)
        text = (
            reasons
            if isinstance(reasons, str)
            else "; ".join(f"{r.field}: {r.reason}" for r in reasons)
        )
        self.health.error(source or "unknown", text, dead_letter=True)
        return entry

    # -- device items --------------------------------------------------------------------
    def submit_device(
        self,
        source: str,
        items: Sequence[DeviceItem],
        raw: bytes,
        *,
        priorities: dict[str, int] | None = None,
        received: datetime | None = None,
    ) -> Taken:
        plan = self.alarms.plan(
            source,
            items,
            raw,
            self.rt.registry.get(),
            received=received or self.rt.now(),
            priorities=priorities,
        )
        taken = self.alarms.take(plan)
        if taken.alarms or taken.heartbeats:
            self.health.event(source, taken.alarms + taken.heartbeats)
        return taken

    async def submit_device_async(
        self, source: str, items: Sequence[DeviceItem], raw: bytes, *,
        priorities: dict[str, int] | None = None,
    ) -> Taken:  # fmt: skip
        """``submit_device`` on the event loop, for pushes without images."""
        plan = self.alarms.plan(
            source,
            items,
            raw,
            self.rt.registry.get(),
            received=self.rt.now(),
            priorities=priorities,
        )
        taken = await self.alarms.take_async(self.rt.aclient, plan)
        if taken.alarms or taken.heartbeats:
            self.health.event(source, taken.alarms + taken.heartbeats, flush=False)
        return taken

    async def deliver(
        self,
        source: str,
        items: Sequence[DeviceItem],
        raw: bytes,
        *,
        priorities: dict[str, int] | None = None,
    ) -> Taken:
        """From a route: on the event loop, or in a thread when snapshots go to disk."""
        if any(isinstance(i, DeviceAlarm) and i.images for i in items):
            return await asyncio.to_thread(
                self.submit_device, source, items, raw, priorities=priorities
            )
        return await self.submit_device_async(source, items, raw, priorities=priorities)

    # -- upstream records ----------------------------------------------------------------
    def submit_events(
        self,
        source: str,
        records: Sequence[dict[str, Any]],
        *,
        endpoint: str,
        dead_letter: bool = True,
    ) -> Submitted:
        """Validate, normalize and append records one by one (a bad one is refused, the others
        go in). Status updates are appended after the reports before them. Refusals go to the
        dead letters unless ``dead_letter`` is false (a backfill writes its own report)."""
        result = Submitted()
        registry = self.rt.registry.get()
        pending: list[Normalized] = []
        for index, record in enumerate(records):
            errors: list[FieldError] = []
            try:
                event = EventIn.model_validate(record)
                if event.kind == "status":
                    self._flush(pending, result)
                normalized = self.intake.normalize(event, registry, self.rt.now())
            except ValidationError as exc:
                errors = validation_errors(exc)
            except IntakeError as exc:
                errors = exc.errors
            if errors:
                result.refused += 1
                result.refusals.append((index, "; ".join(f"{e.field}: {e.reason}" for e in errors)))
                if dead_letter:
                    raw = json.dumps(record, ensure_ascii=False, default=str)
                    self.refuse(source, endpoint, errors, raw)
                continue
            pending.append(normalized)
            if isinstance(normalized, StatusUpdate):
                self._flush(pending, result)
        self._flush(pending, result)
        if result.accepted:
            self.health.event(source, result.accepted)
        return result

    def _flush(self, pending: list[Normalized], result: Submitted) -> None:
        if not pending:
            return
        for outcome in self.intake.enqueue(pending):
            result.incident_ids.append(outcome.incident_id)
            if outcome.duplicate:
                result.duplicates += 1
            else:
                result.accepted += 1
        pending.clear()
