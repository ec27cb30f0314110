"""Alarm intake: device items → resolved ``Alarm`` events in the inbox, heartbeats → liveness.

Every camera adapter ends here. Each item's identities are tried against the registry in order
(``camera_by_identity``); a device the registry does not know is recorded in the unknown-camera
list (with its source and times) and its alarms still go in, grouped by the raw identity. The
area is the camera's grid (or, for an unknown device that sent a position, the grid there).
Snapshots are stored on disk (bounded); the raw payload is kept bounded under the event id.

One Lua call per alarm appends it atomically with its de-duplication key (TTL
``alarms.retention_s``; a device retransmitting the same bytes adds nothing) and its raw payload.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import redis

from feeds.alarms.devices import DeviceAlarm, DeviceHeartbeat, DeviceItem
from feeds.alarms.groupcommit import GroupCommit
from gridwall.contract.alarmtypes import kind_of
from gridwall.contract.events import Alarm, AreaPath, Point
from gridwall.contract.geo import to_wgs84
from gridwall.contract.inbox import new_event_id
from gridwall.contract.media import MediaStore
from gridwall.contract.refusal import PayloadError
from gridwall.platform.keys import Keys
from gridwall.platform.settings import AlarmSettings
from gridwall.refdata.model import Camera, identity_key
from gridwall.refdata.registry import Registry

log = logging.getLogger(__name__)

# KEYS: dedup key, raw key, inbox, liveness hash, unknown-count hash.
# ARGV: dedup TTL, TTL, raw, event JSON, keep raw (1/0), liveness field, liveness value,
#       count it as unknown (1/0).
_APPEND = """
redis.call('HSET', KEYS[4], ARGV[6], ARGV[7])
if ARGV[8] == '1' then redis.call('HINCRBY', KEYS[5], ARGV[6], 1) end
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  if ARGV[5] == '1' then redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[2]) end
  redis.call('XADD', KEYS[3], '*', 'e', ARGV[4], 'i', '')
  return 1
end
return 0
"""
SNAPSHOT_PREFIX = "/api/v1/snapshots/"
#: How long an alarm identified only by its bytes is remembered (retransmission window).
CONTENT_DEDUP_S = 30


@dataclass
class Taken:
    """What one push amounted to."""

    alarms: int = 0
    duplicates: int = 0
    heartbeats: int = 0
    unknown: list[str] = field(default_factory=list)
    event_ids: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Plan:
    """The commands of one push and the positions of its appends among them."""

    taken: Taken = field(default_factory=Taken)
    commands: list[tuple[Any, ...]] = field(default_factory=list)
    appends: list[int] = field(default_factory=list)


class AlarmIntake:
    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        tz: ZoneInfo,
        settings: AlarmSettings,
        snapshots: MediaStore,
    ) -> None:
        self._client = client
        self._keys = keys
        self._tz = tz
        self._settings = settings
        self._snapshots = snapshots
        self._sha: str | None = None  # loaded on first use (a restarted Redis forgets it)
        self._group: tuple[asyncio.AbstractEventLoop, GroupCommit] | None = None

    def take(self, plan: Plan) -> Taken:
        """Append a planned push; returns its counts (duplicates are not errors)."""
        if plan.commands:
            self._count(plan, self._execute(plan))
        return plan.taken

    async def take_async(self, aclient: Any, plan: Plan) -> Taken:
        """``take`` on the event loop with the async client (no images: nothing to write to
        disk), saving the hop to a worker thread on the hot path of camera posts."""
        if plan.commands:
            self._count(plan, await self._execute_async(aclient, plan))
        return plan.taken

    def plan(
        self,
        source: str,
        items: Sequence[DeviceItem],
        raw: bytes,
        registry: Registry,
        *,
        received: datetime,
        priorities: dict[str, int] | None = None,
    ) -> Plan:
        """The Redis commands one push amounts to (snapshots are stored on disk here)."""
        plan = Plan()
        taken = plan.taken
        digest = hashlib.sha256(raw).hexdigest()[:32]
        raw_ref: str | None = None
        now_s = received.timestamp()
        ttl = self._settings.retention_s
        for index, item in enumerate(items):
            camera, ident = self._resolve(item, registry)
            # Liveness: the camera's last contact, or the unknown device's record.
            live: tuple[str, str, float | str, str]
            if camera is not None:
                live = (self._keys.camera_seen, camera.id, now_s, "0")
            else:
                record = {"source": source, "vendor": item.vendor, "last_seen": now_s}
                live = (self._keys.cameras_unknown, ident, json.dumps(record), "1")
                taken.unknown.append(ident)
            if isinstance(item, DeviceHeartbeat):
                taken.heartbeats += 1
                plan.commands.append(("HSET", live[0], live[1], live[2]))
                if live[3] == "1":
                    plan.commands.append(("HINCRBY", self._keys.cameras_unknown_count, ident, 1))
                continue
            event = self._alarm(
                source, item, camera, ident, registry=registry, received=received,
                priorities=priorities,
            )  # fmt: skip
            keep_raw = raw_ref is None
            raw_ref = raw_ref or event.event_id
            event = event.model_copy(
                update={
                    "source_event_id": item.source_event_id or f"{digest}-{index}",
                    "snapshots": self._store_images(item, received, taken),
                    "raw_ref": raw_ref,
                }
            )
            taken.event_ids.append(event.event_id)
            plan.appends.append(len(plan.commands))
            # A device's own event id is remembered for the retention; an id made from the
            # bytes only briefly (retransmissions come within seconds; identical alarms later
            # are new alarms).
            dedup_ttl = ttl if item.source_event_id else CONTENT_DEDUP_S
            plan.commands.append(
                (
                    "EVALSHA",
                    None,  # the script's SHA, filled in when executed
                    5,
                    self._keys.alarm_dedup(source, event.source_event_id),
                    self._keys.alarm_raw(raw_ref),
                    self._keys.inbox,
                    live[0],
                    self._keys.cameras_unknown_count,
                    dedup_ttl,
                    ttl,
                    raw[: self._settings.raw_max_bytes],
                    event.model_dump_json(exclude_none=True),
                    "1" if keep_raw else "0",
                    live[1],
                    live[2],
                    live[3],
                )
            )
        return plan

    @staticmethod
    def _count(plan: Plan, replies: list[Any]) -> None:
        appended = sum(int(replies[p]) for p in plan.appends)
        plan.taken.alarms = appended
        plan.taken.duplicates = len(plan.appends) - appended

    def _commands(self, plan: Plan) -> list[tuple[Any, ...]]:
        assert self._sha is not None
        return [(c[0], self._sha, *c[2:]) if c[0] == "EVALSHA" else c for c in plan.commands]

    def _execute(self, plan: Plan) -> list[Any]:
        """Run the liveness writes and the appends in one round trip.

        The append script is called by its SHA (loaded once), not through redis-py's script
        objects, which would ask ``SCRIPT EXISTS`` before every pipeline: one round trip per
        camera post saved. A Redis that forgot the script gets it again, and the (idempotent)
        commands run once more.
        """
        for attempt in range(2):
            if self._sha is None or attempt:
                self._sha = str(self._client.script_load(_APPEND))
            if len(plan.commands) == 1:  # the usual push: one command, no pipeline
                try:
                    command = self._commands(plan)[0]
                    return [self._client.execute_command(*command)]  # type: ignore[no-untyped-call]
                except redis.exceptions.NoScriptError:
                    continue
            pipe = self._client.pipeline(transaction=False)
            for command in self._commands(plan):
                pipe.execute_command(*command)  # type: ignore[no-untyped-call]
            try:
                return list(pipe.execute())
            except redis.exceptions.NoScriptError:
                continue
        raise RuntimeError("the alarm script cannot be loaded")

    async def _execute_async(self, aclient: Any, plan: Plan) -> list[Any]:
        """Concurrent pushes share round trips (``GroupCommit``, one per event loop)."""
        loop = asyncio.get_running_loop()
        if self._group is None or self._group[0] is not loop:
            self._group = (loop, GroupCommit(lambda commands: self._send_async(aclient, commands)))
        return await self._group[1].run(list(plan.commands))

    async def _send_async(self, aclient: Any, commands: list[tuple[Any, ...]]) -> list[Any]:
        for attempt in range(2):
            if self._sha is None or attempt:
                self._sha = str(await aclient.script_load(_APPEND))
            pipe = aclient.pipeline(transaction=False)
            for command in commands:
                if command[0] == "EVALSHA":
                    pipe.execute_command(command[0], self._sha, *command[2:])
                else:
                    pipe.execute_command(*command)
            try:
                return list(await pipe.execute())
            except redis.exceptions.NoScriptError:
                continue  # every EVALSHA failed alike: nothing ran twice
        raise RuntimeError("the alarm script cannot be loaded")

    # -- pieces --------------------------------------------------------------------------
    @staticmethod
    def _resolve(item: DeviceItem, registry: Registry) -> tuple[Camera | None, str]:
        for ident in item.identities:
            camera = registry.camera_by_identity(ident.kind, ident.value)
            if camera is not None:
                return camera, identity_key(ident.kind, ident.value)
        first = item.identities[0]
        return None, identity_key(first.kind, first.value)

    def _alarm(
        self,
        source: str,
        item: DeviceAlarm,
        camera: Camera | None,
        ident: str,
        *,
        registry: Registry,
        received: datetime,
        priorities: dict[str, int] | None,
    ) -> Alarm:
        area: AreaPath | None = None
        location: Point | None = None
        if camera is not None:
            area = registry.path(camera.grid) if camera.grid else AreaPath(county=registry.county)
            if camera.location is not None:
                location = Point(lon=camera.location[0], lat=camera.location[1])
        if location is None and item.lon is not None and item.lat is not None:
            lon, lat = to_wgs84(item.lon, item.lat, "wgs84")
            location = Point(lon=round(lon, 7), lat=round(lat, 7))
            if area is None:
                area = registry.path(registry.locate(lon, lat))
        priority = item.priority or (priorities or {}).get(item.alarm_type)
        event_id = new_event_id()
        return Alarm(
            event_id=event_id,
            source=source,
            source_event_id="",
            received_at=received,
            camera_id=camera.id if camera else None,
            device_key=ident,
            alarm_type=item.alarm_type,
            priority=priority or kind_of(item.alarm_type).priority,
            device_time=item.device_time,
            area=area or AreaPath(county=registry.county),
            location=location,
            description=item.description,
            raw_ref=event_id,
            phase=item.phase,
            vendor=item.vendor,
            extra=item.extra,
        )

    def _store_images(self, item: DeviceAlarm, received: datetime, taken: Taken) -> list[str]:
        refs: list[str] = []
        for image in item.images[: self._settings.snapshot_max_count]:
            try:
                refs.append(self._snapshots.save(image, received.astimezone(self._tz)))
            except PayloadError as exc:
                taken.notes.append(f"snapshot refused: {exc.reason}")
            except OSError as exc:
                log.warning("cannot store a snapshot: %s", exc)
                taken.notes.append("snapshot not stored (disk)")
        refs += list(item.snapshot_urls[: self._settings.snapshot_max_count])
        return refs
