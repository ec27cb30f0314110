"""Read-only queries over feed state: sources' health, alarms, cameras, dead letters.

Synchronous (they run in a worker thread from the routes and, later, the wall's feed-health
panel); no writes here.
"""

from __future__ import annotations

import time
from typing import Any, cast

from gridwall.access.privacy import redact_raw
from gridwall.contract.deadletter import read_entry, utf8_text
from gridwall.contract.health import SourceInfo, read_health, read_unknown_cameras
from gridwall.engine.alarms.state import MergedAlarm, summary
from gridwall.refdata.registry import Registry
from gridwall.runtime import Runtime


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class FeedQueries:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.keys = rt.keys
        self.r = rt.client

    # -- sources -------------------------------------------------------------------------
    def sources(self, infos: list[SourceInfo]) -> dict[str, Any]:
        now = time.time()
        settings = self.rt.settings
        health = read_health(self.r, self.keys, infos, now, settings.feeds.idle_after_s)
        return {
            "at": now,
            "sources": [h.as_dict() for h in health],
            "unknown_cameras": read_unknown_cameras(self.r, self.keys),
            "cameras": self.camera_counts(),
            "deadletters": int(self.r.xlen(self.keys.deadletter)),
        }

    # -- cameras -------------------------------------------------------------------------
    def last_seen(self, camera_ids: list[str]) -> dict[str, float | None]:
        if not camera_ids:
            return {}
        values = self.r.hmget(self.keys.camera_seen, camera_ids)
        return {
            c: float(v) if v is not None else None for c, v in zip(camera_ids, values, strict=True)
        }

    def online(self, last_seen: float | None, now: float) -> bool:
        return last_seen is not None and now - last_seen <= self.rt.settings.alarms.offline_after_s

    def camera_counts(self) -> dict[str, int]:
        registry = self.rt.registry.get()
        seen = {_text(k): float(v) for k, v in self.r.hgetall(self.keys.camera_seen).items()}
        now = time.time()
        online = sum(1 for c in registry.cameras if self.online(seen.get(c), now))
        return {
            "known": len(registry.cameras),
            "online": online,
            "offline": len(registry.cameras) - online,
        }

    def camera(self, camera_id: str, recent: int = 20) -> dict[str, Any] | None:
        registry = self.rt.registry.get()
        camera = registry.camera(camera_id)
        if camera is None:
            return None
        seen = self.last_seen([camera_id])[camera_id]
        found = camera.model_dump(mode="json")
        found["area"] = registry.path(camera.grid).model_dump() if camera.grid else None
        found["last_seen"] = seen
        found["online"] = self.online(seen, time.time())
        found["alarms"] = [a for a in self.alarms(limit=200) if a["camera_id"] == camera_id][
            :recent
        ]
        return found

    # -- alarms --------------------------------------------------------------------------
    def alarms(
        self,
        *,
        limit: int = 100,
        camera: str | None = None,
        alarm_type: str | None = None,
        active: bool | None = None,
        since: float | None = None,
    ) -> list[dict[str, Any]]:
        """Newest merged alarms first (summaries)."""
        low = since if since is not None else "-inf"
        ids = self.r.zrevrangebyscore(self.keys.alarm_index, "+inf", low, start=0, num=limit * 5)
        if not ids:
            return []
        docs = self.r.mget([self.keys.alarm(_text(cast(bytes, i))) for i in ids])
        found = []
        registry = self.rt.registry.get()
        for raw in docs:
            if raw is None:
                continue
            alarm = MergedAlarm.model_validate_json(raw)
            if camera is not None and alarm.camera_id != camera:
                continue
            if alarm_type is not None and alarm.alarm_type != alarm_type:
                continue
            if active is not None and alarm.active != active:
                continue
            found.append(self._named(summary(alarm), registry))
            if len(found) >= limit:
                break
        return found

    @staticmethod
    def _named(item: dict[str, Any], registry: Registry) -> dict[str, Any]:
        camera = registry.camera(item["camera_id"]) if item["camera_id"] else None
        item["camera_name"] = camera.name if camera else None
        return item

    def alarm(self, alarm_id: str) -> dict[str, Any] | None:
        raw = self.r.get(self.keys.alarm(alarm_id))
        if raw is None:
            return None
        alarm = MergedAlarm.model_validate_json(raw)
        found = alarm.model_dump(mode="json", exclude={"seen"})
        found["label"] = summary(alarm)["label"]
        found["snapshots"] = [
            ref if ref.startswith("http") else f"/api/v1/snapshots/{ref}" for ref in alarm.snapshots
        ]
        raws = (
            self.r.mget([self.keys.alarm_raw(r) for r in alarm.raw_refs]) if alarm.raw_refs else []
        )
        found["raw"] = [utf8_text(r) if isinstance(r, bytes) else None for r in raws]
        return found

    # -- dead letters --------------------------------------------------------------------
    def deadletters(
        self,
        *,
        limit: int = 50,
        before: str | None = None,
        source: str | None = None,
        with_raw: bool = False,
    ) -> list[dict[str, Any]]:
        """Newest first; ``before`` is an entry id to page back from."""
        high = f"({before}" if before else "+"
        found: list[dict[str, Any]] = []
        while len(found) < limit:
            entries = cast(
                list[tuple[bytes, dict[bytes, bytes]]],
                self.r.xrevrange(self.keys.deadletter, max=high, min="-", count=limit * 2),
            )
            if not entries:
                break
            for entry_id, fields in entries:
                row = read_entry(entry_id, fields, with_raw=with_raw)
                if source is not None and row["source"] != source:
                    continue
                if not with_raw:  # the shape of the payload without its personal data
                    row["raw"] = redact_raw(fields.get(b"raw", b""))
                    row["redacted"] = True
                found.append(row)
                if len(found) >= limit:
                    break
            high = f"({_text(entries[-1][0])}"
        return found
