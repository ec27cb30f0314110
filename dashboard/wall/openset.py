"""The open incidents as one wall server sees them: loaded once, then kept from the changes.

Each wall server process keeps a compact record (``OpenCase``) of every open incident, built
from ``gridwall.engine.incident.summary`` (the changes stream's view, no personal data):
loaded at start (and every ``wall.reindex_s``) from the incident documents, then updated from every
entry of the changes stream. From it come what no Redis index holds: 临期/超期 per area (backlog
gauges, the map's overdue colouring), the map's incident markers, the newest urgent incidents and
the newest SLA breaches (alarm strip). Pure: no Redis here.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gridwall.engine.incident import OPEN_STATUSES

OPEN = frozenset(s.value for s in OPEN_STATUSES)
#: SLA states counted per area.
COUNTED = ("warning", "overdue")
#: Marker priority: lower first (overdue, near deadline, urgent, the rest).
_PRIORITY = {"overdue": 0, "warning": 1}


def _epoch(text: str | None) -> float | None:
    return None if not text else datetime.fromisoformat(text).timestamp()


@dataclass(frozen=True, slots=True)
class OpenCase:
    """What the wall needs of one open incident (from its summary)."""

    id: str
    title: str
    category: str
    urgent: bool
    status: str
    sla: str
    grid: str | None
    community: str | None
    street: str | None
    lon: float | None
    lat: float | None
    lead: str | None
    reported: float
    deadline: str | None

    @classmethod
    def of(cls, s: Mapping[str, Any]) -> OpenCase:
        return cls(
            id=s["id"],
            title=s.get("title", ""),
            category=s.get("category", ""),
            urgent=s.get("urgency") == "urgent",
            status=s.get("status", ""),
            sla=s.get("sla", "normal"),
            grid=s.get("grid"),
            community=s.get("community"),
            street=s.get("street"),
            lon=s.get("lon"),
            lat=s.get("lat"),
            lead=s.get("lead"),
            reported=_epoch(s.get("reported_at")) or 0.0,
            deadline=s.get("deadline"),
        )

    @property
    def areas(self) -> tuple[str, ...]:
        return tuple(a for a in (self.grid, self.community, self.street) if a)

    @property
    def marker_key(self) -> tuple[int, float]:
        """Lower first: 超期, 临期, urgent, the rest; newer first within each."""
        rank = _PRIORITY.get(self.sla, 2 if self.urgent else 3)
        return rank, -self.reported


#: A map marker: (lon, lat, state, urgent) with state ``n`` normal, ``w`` 临期, ``o`` 超期,
#: ``p`` paused.
Marker = tuple[float, float, str, int]
_STATE_CODE = {"normal": "n", "warning": "w", "overdue": "o", "paused": "p"}


class OpenSet:
    """Every open incident, with 临期/超期 counted per area as cases come and go.

    Cases are also kept in buckets by marker priority (超期, 临期, urgent, the rest), each in
    the order they last changed, and urgent ones apart, so that what the wall asks for on every
    push costs the size of the answer, not of the county's backlog.
    """

    def __init__(self, summaries: Iterable[Mapping[str, Any]] = ()) -> None:
        self.cases: dict[str, OpenCase] = {}
        self._buckets: tuple[dict[str, OpenCase], ...] = ({}, {}, {}, {})
        self._urgent: dict[str, OpenCase] = {}
        self._counts: Counter[tuple[str, str]] = Counter()
        for s in summaries:
            self.apply(s)

    def __len__(self) -> int:
        return len(self.cases)

    def get(self, incident_id: str) -> OpenCase | None:
        return self.cases.get(incident_id)

    def _file(self, case: OpenCase, add: bool) -> None:
        bucket = self._buckets[case.marker_key[0]]
        if add:
            self.cases[case.id] = bucket[case.id] = case
            if case.urgent:
                self._urgent[case.id] = case
        else:
            del self.cases[case.id], bucket[case.id]
            self._urgent.pop(case.id, None)
        if case.sla in COUNTED:
            for area in case.areas:
                key = (area, case.sla)
                self._counts[key] += 1 if add else -1
                if self._counts[key] <= 0:
                    del self._counts[key]

    def apply(self, s: Mapping[str, Any]) -> OpenCase | None:
        """Take one incident summary: an open one is added or replaced, a closed one leaves.
        Returns the case as it was before."""
        old = self.cases.get(s["id"])
        if old is not None:
            self._file(old, add=False)
        if s.get("status") in OPEN:
            self._file(OpenCase.of(s), add=True)
        return old

    def area_sla(self) -> dict[str, tuple[int, int]]:
        """Area code → (临期, 超期) open incidents, for areas that have any."""
        found: dict[str, tuple[int, int]] = {}
        for (area, state), n in self._counts.items():
            near, over = found.get(area, (0, 0))
            found[area] = (near + n, over) if state == "warning" else (near, over + n)
        return found

    def markers(self, limit: int) -> dict[str, Marker]:
        """The incidents to mark on the map: the ``limit`` most pressing (超期, 临期, urgent,
        then the most recently changed) that have a location."""
        found: dict[str, Marker] = {}
        for bucket in self._buckets:
            for case in reversed(bucket.values()):
                if len(found) >= limit:
                    return found
                if case.lon is not None and case.lat is not None:
                    found[case.id] = (
                        round(case.lon, 5),
                        round(case.lat, 5),
                        _STATE_CODE.get(case.sla, "n"),
                        int(case.urgent),
                    )
        return found

    def newest_urgent(self, limit: int) -> list[OpenCase]:
        return heapq.nlargest(limit, self._urgent.values(), key=lambda c: (c.reported, c.id))

    def newest_breaches(self, limit: int) -> list[OpenCase]:
        """Overdue cases, the most recently breached (latest deadline) first."""
        overdue = self._buckets[0].values()
        return heapq.nlargest(limit, overdue, key=lambda c: (c.deadline or "", c.id))
