"""The alarm strip's items, the chime decision and quiet hours (pure).

Three kinds of items share the strip: urgent incidents (紧急), SLA breaches (超期) and video
alarms (视频告警). Each has a key that acknowledgements refer to (``inc:<id>``,
``sla:<id>:<deadline>`` — a new deadline breached is a new breach — and ``cam:<alarm id>``),
a priority (1 most urgent … 4, as GB/T 28181 numbers alarms; it decides the chime) and a
time. Unacknowledged items come first, newest first; then the acknowledged ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from dashboard.wall.openset import OpenCase, OpenSet


@dataclass(frozen=True)
class Ack:
    by: str
    at: float


@dataclass(frozen=True)
class AlarmItem:
    key: str
    kind: str  # urgent | breach | video
    priority: int
    at: float
    title: str
    area: str | None  # the most precise area code known (grid, else street)
    ack: Ack | None = None

    @property
    def order(self) -> tuple[bool, float, str]:
        return self.ack is not None, -self.at, self.key


def _area(case: OpenCase) -> str | None:
    return case.grid or case.community or case.street


def urgent_item(case: OpenCase) -> AlarmItem:
    return AlarmItem(
        key=f"inc:{case.id}",
        kind="urgent",
        priority=1,
        at=case.reported,
        title=case.title,
        area=_area(case),
    )


def breach_item(case: OpenCase) -> AlarmItem:
    deadline = datetime.fromisoformat(case.deadline).timestamp() if case.deadline else 0.0
    return AlarmItem(
        key=f"sla:{case.id}:{case.deadline or ''}",
        kind="breach",
        priority=1 if case.urgent else 2,
        at=deadline,
        title=case.title,
        area=_area(case),
    )


def video_item(alarm: Mapping[str, Any], camera_name: str | None) -> AlarmItem:
    label = alarm.get("label") or alarm.get("type") or ""
    return AlarmItem(
        key=f"cam:{alarm['id']}",
        kind="video",
        priority=int(alarm.get("priority") or 4),
        at=datetime.fromisoformat(alarm["last_at"]).timestamp(),
        title=f"{label} · {camera_name}" if camera_name else str(label),
        area=alarm.get("grid"),
    )


def candidates(
    open_set: OpenSet,
    video: Iterable[tuple[Mapping[str, Any], str | None]],
    limit: int,
) -> list[AlarmItem]:
    """Every item that may stand on the strip (acknowledged or not), before ordering."""
    items = [urgent_item(c) for c in open_set.newest_urgent(limit)]
    items += [breach_item(c) for c in open_set.newest_breaches(limit)]
    items += [video_item(a, name) for a, name in video]
    return items


def strip(items: Iterable[AlarmItem], acks: Mapping[str, Ack], limit: int) -> tuple[AlarmItem, ...]:
    """The strip: items with their acknowledgements, unacknowledged first, newest first; at
    most ``limit``."""
    found = [
        AlarmItem(i.key, i.kind, i.priority, i.at, i.title, i.area, acks.get(i.key)) for i in items
    ]
    return tuple(sorted(found, key=lambda i: i.order)[:limit])


def chime_due(old: Iterable[AlarmItem], new: Iterable[AlarmItem], priority: int) -> list[AlarmItem]:
    """New, unacknowledged items of ``priority`` or more urgent (what deserves a chime)."""
    seen = {i.key for i in old}
    return [i for i in new if i.key not in seen and i.ack is None and i.priority <= priority]


def parse_quiet_hours(spec: str | None) -> tuple[time, time] | None:
    """``"22:00-07:00"`` → (22:00, 07:00); None when unset."""
    if not spec:
        return None
    start, end = spec.split("-")
    return time.fromisoformat(start), time.fromisoformat(end)


def is_quiet(moment: datetime, hours: tuple[time, time] | None) -> bool:
    """Whether local ``moment`` falls in the quiet hours (which may span midnight)."""
    if hours is None:
        return False
    start, end = hours
    now = moment.time()
    if start <= end:
        return start <= now < end
    return now >= start or now < end
