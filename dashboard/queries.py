"""The read-only query layer over Redis (async), used by the read API and the wall.

No writes here. Callbacks and routes call these functions; they never touch Redis themselves.
"""

from __future__ import annotations

import json
from typing import Any, cast

from feeds.incident import Incident, summary
from feeds.processor import processor_lag
from feeds.runtime import Runtime


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class Queries:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.keys = rt.keys
        self.r = rt.aclient

    async def incident(self, incident_id: str) -> Incident | None:
        raw = await self.r.get(self.keys.incident(incident_id))
        return None if raw is None else Incident.model_validate_json(raw)

    async def open_count(self) -> int:
        return int(await self.r.zcard(self.keys.open_index))

    async def open_by_area(self) -> dict[str, int]:
        raw = await self.r.hgetall(self.keys.open_by_area)
        return {_text(k): int(v) for k, v in raw.items() if int(v) > 0}

    async def recent(self, count: int) -> list[dict[str, Any]]:
        """Summaries of the newest incidents, newest first."""
        ids = await self.r.zrevrange(self.keys.recent_index, 0, count - 1)
        if not ids:
            return []
        docs = await self.r.mget([self.keys.incident(_text(cast(bytes, i))) for i in ids])
        return [summary(Incident.model_validate_json(d)) for d in docs if d is not None]

    async def day_stats(self, day: str) -> dict[str, int]:
        raw = await self.r.hgetall(self.keys.daily_stats(day))
        return {_text(k): int(v) for k, v in raw.items()}

    async def processors(self) -> list[dict[str, Any]]:
        found = []
        async for key in self.r.scan_iter(match=self.keys.heartbeat_pattern("processor")):
            raw = await self.r.get(key)
            if raw is not None:
                found.append(
                    {"name": _text(cast(bytes, key)).rsplit(":", 1)[-1], **json.loads(raw)}
                )
        return found

    def processor_lag(self) -> float | None:
        """Synchronous: call from a thread."""
        return processor_lag(self.rt.client, self.keys)
