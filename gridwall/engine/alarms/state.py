"""Merged alarms and the pure decision of what one alarm event does (storm control).

Repeats of the same (camera, type) whose receive time is within ``window_s`` of the merged
alarm's last one merge into it: the count goes up, ``last_at`` moves, the most urgent priority
wins, a few snapshots are kept. An ``end`` closes the merged alarm (it stays listed); an end
with nothing to close changes nothing. Only a new merged alarm is checked against the rules,
so a storm opens at most one incident per window. Ordering and windows use the receive time;
the device time is kept beside it and used for rules (time of day) only when the two agree
within ``skew_s``. No Redis here: ``gridwall.engine.alarms.stage`` reads, calls and writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from gridwall.contract.alarmtypes import kind_of
from gridwall.contract.events import Alarm, AreaPath, Point
from gridwall.engine.alarms.rules import AlarmFacts, AlarmRule, RuleSet, first_match

#: Event ids a merged alarm remembers, to apply each event once.
SEEN_EVENTS = 32
#: Snapshots a merged alarm keeps: the first ones and the newest ones.
KEEP_FIRST, KEEP_LAST = 3, 3


class MergedAlarm(BaseModel):
    """One alarm as the wall shows it (告警), possibly standing for many repeats."""

    model_config = ConfigDict(extra="forbid")

    id: str
    source: str
    vendor: str = ""
    camera_id: str | None
    device_key: str
    alarm_type: str
    category: str
    priority: int
    area: AreaPath | None = None
    location: Point | None = None
    description: str = ""
    first_at: AwareDatetime
    last_at: AwareDatetime
    first_device_time: datetime | None = None
    last_device_time: datetime | None = None
    count: int = 1
    active: bool = True
    ended_at: datetime | None = None
    clock_skew: bool = False
    snapshots: list[str] = Field(default_factory=list)
    raw_refs: list[str] = Field(default_factory=list)
    rule: str | None = None
    incident_id: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)
    seen: list[str] = Field(default_factory=list)


def subject_of(event: Alarm) -> str:
    """What repeats are grouped by: the camera, or the raw device identity when unknown."""
    return event.camera_id or f"?{event.device_key}"


@dataclass(frozen=True)
class Decision:
    """``op``: ``new``, ``merge``, ``end`` or None (nothing changes); ``alarm`` the new state;
    ``rule`` the rule that opens an incident for a new alarm (None: no incident)."""

    op: str | None
    alarm: MergedAlarm | None = None
    rule: AlarmRule | None = None


def skewed(event: Alarm, skew_s: float) -> bool:
    if event.device_time is None or event.device_time.tzinfo is None:
        return False
    return abs((event.device_time - event.received_at).total_seconds()) > skew_s


def local_time(event: Alarm, skew_s: float, tz: tzinfo) -> datetime:
    """The time rules look at: the device's when it is believable, else the receive time."""
    moment = event.received_at
    if event.device_time is not None and event.device_time.tzinfo and not skewed(event, skew_s):
        moment = event.device_time
    return moment.astimezone(tz)


def _bounded(items: list[str]) -> list[str]:
    unique = list(dict.fromkeys(items))
    if len(unique) <= KEEP_FIRST + KEEP_LAST:
        return unique
    return unique[:KEEP_FIRST] + unique[-KEEP_LAST:]


def decide(
    current: MergedAlarm | None,
    event: Alarm,
    *,
    rules: RuleSet,
    group: str | None,
    window_s: float,
    skew_s: float,
    tz: tzinfo,
) -> Decision:
    """What one alarm event does to the merged alarm of its (camera, type)."""
    if current is not None and event.event_id in current.seen:
        return Decision(op=None)
    at = event.received_at
    within = current is not None and (at - current.last_at).total_seconds() <= window_s
    if current is not None and within:
        return _merge(current, event)
    if event.phase == "end":
        return Decision(op=None)  # nothing open to end
    return _new(event, rules=rules, group=group, skew_s=skew_s, tz=tz)


def _merge(current: MergedAlarm, event: Alarm) -> Decision:
    seen = [*current.seen, event.event_id][-SEEN_EVENTS:]
    if event.phase == "end":
        ended = event.device_time or event.received_at
        changes: dict[str, Any] = {"active": False, "ended_at": ended, "seen": seen}
        return Decision(op="end", alarm=current.model_copy(update=changes))
    changes = {
        "count": current.count + 1,
        "last_at": max(current.last_at, event.received_at),
        "last_device_time": event.device_time or current.last_device_time,
        "priority": min(current.priority, event.priority),
        "active": True,
        "ended_at": None,
        "snapshots": _bounded([*current.snapshots, *event.snapshots]),
        "raw_refs": _bounded([*current.raw_refs, *([event.raw_ref] if event.raw_ref else [])]),
        "seen": seen,
    }
    return Decision(op="merge", alarm=current.model_copy(update=changes))


def _new(event: Alarm, *, rules: RuleSet, group: str | None, skew_s: float, tz: tzinfo) -> Decision:
    facts = AlarmFacts(
        alarm_type=event.alarm_type,
        priority=event.priority,
        area=event.area,
        group=group,
        source=event.source,
        local_time=local_time(event, skew_s, tz),
    )
    rule = first_match(rules, facts)
    opening = rule if rule is not None and rule.incident else None
    alarm = MergedAlarm(
        id=event.event_id[:20],
        source=event.source,
        vendor=event.vendor,
        camera_id=event.camera_id,
        device_key=event.device_key,
        alarm_type=event.alarm_type,
        category=(opening.category if opening and opening.category else None)
        or rules.category_of(event.alarm_type),
        priority=event.priority,
        area=event.area,
        location=event.location,
        description=event.description or kind_of(event.alarm_type).zh,
        first_at=event.received_at,
        last_at=event.received_at,
        first_device_time=event.device_time,
        last_device_time=event.device_time,
        active=event.phase != "pulse",
        clock_skew=skewed(event, skew_s),
        snapshots=_bounded(list(event.snapshots)),
        raw_refs=[event.raw_ref] if event.raw_ref else [],
        rule=rule.name if rule else None,
        extra=dict(event.extra),
        seen=[event.event_id],
    )
    return Decision(op="new", alarm=alarm, rule=opening)


def summary(alarm: MergedAlarm) -> dict[str, Any]:
    """The compact view for the alarm-changes stream and lists (no raw payload)."""
    kind = kind_of(alarm.alarm_type)
    return {
        "id": alarm.id,
        "camera_id": alarm.camera_id,
        "device_key": alarm.device_key,
        "type": alarm.alarm_type,
        "label": kind.zh,
        "label_en": kind.en,
        "category": alarm.category,
        "priority": alarm.priority,
        "count": alarm.count,
        "active": alarm.active,
        "grid": alarm.area.grid if alarm.area else None,
        "lon": alarm.location.lon if alarm.location else None,
        "lat": alarm.location.lat if alarm.location else None,
        "first_at": alarm.first_at.isoformat(timespec="seconds"),
        "last_at": alarm.last_at.isoformat(timespec="seconds"),
        "incident_id": alarm.incident_id,
        "source": alarm.source,
    }
