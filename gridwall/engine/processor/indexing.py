"""Indexes the processor keeps beside each incident document (same MULTI/EXEC as the write).

* ``index_incident``: all of them for one change old → new: the daily counters and the recent
  index of a new incident, the open index and the open counts per area, the closed index, and
  the two below;
* ``index_case``: the reported/updated/due indexes, per-department open sets (lead and
  co-handling apart) and the counters of open incidents per SLA state;
* ``index_clock``: the SLA clock's plans (``gridwall.engine.sla.schedule``), rewritten only when a
  stage's deadline or escalation changes.

Both compare the document before and after a change and write only the difference, so they
can never drift from the documents.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Any

from gridwall.contract import daystats
from gridwall.engine.incident import Incident, SlaState, sla_view
from gridwall.engine.sla.schedule import plan_changes
from gridwall.platform.keys import Keys

COUNTED_STATES = (SlaState.WARNING, SlaState.OVERDUE, SlaState.PAUSED)


def _assignments(incident: Incident | None) -> set[tuple[str, str]]:
    if incident is None or not incident.is_open:
        return set()
    found = {(incident.lead, "lead")} if incident.lead else set()
    return found | {(code, "co") for code in incident.co}


def _sla_state(incident: Incident | None) -> SlaState | None:
    if incident is None or not incident.is_open:
        return None
    state = sla_view(incident)[0]
    return state if state in COUNTED_STATES else None


def index_case(pipe: Any, keys: Keys, old: Incident | None, new: Incident) -> None:
    """Indexes and counters of one incident's change old → new."""
    if old is None:
        pipe.zadd(keys.reported_index, {new.id: new.reported_at.timestamp()})
    pipe.zadd(keys.updated_index, {new.id: new.updated_at.timestamp()})
    before_due = old.due_at if old else None
    if new.due_at != before_due:
        if new.due_at is None:
            pipe.zrem(keys.due_index, new.id)
        else:
            pipe.zadd(keys.due_index, {new.id: new.due_at.timestamp()})
    before, after = _assignments(old), _assignments(new)
    for dept, role in before - after:
        pipe.srem(keys.department_open(dept, role), new.id)
    for dept, role in after - before:
        pipe.sadd(keys.department_open(dept, role), new.id)
    was, now = _sla_state(old), _sla_state(new)
    if was != now:
        if was is not None:
            pipe.hincrby(keys.sla_counts, was.value, -1)
        if now is not None:
            pipe.hincrby(keys.sla_counts, now.value, 1)


def index_clock(pipe: Any, keys: Keys, old: Incident | None, new: Incident) -> None:
    """Write the SLA clock plans of stages whose deadline or escalation changed."""
    changes = plan_changes(old, new)
    if changes.drop:
        pipe.zrem(keys.sla_due, *changes.drop)
        pipe.hdel(keys.sla_plans, *changes.drop)
    for plan in changes.write:
        pipe.hset(keys.sla_plans, plan.member, plan.body)
        pipe.zadd(keys.sla_due, {plan.member: plan.score_ms})


@lru_cache(maxsize=256)
def _received(keys: Keys, tz: tzinfo, received: datetime) -> tuple[str, int]:
    """The daily counters' key and local hour of a receive time (an HTTP array's events share
    theirs)."""
    local = received.astimezone(tz)
    return keys.daily_stats(local.strftime("%Y%m%d")), local.hour


def _areas(incident: Incident) -> list[str]:
    """The codes of the areas an incident counts in (grid up to county)."""
    area = incident.area
    return [c for c in (area.grid, area.community, area.street, incident.county) if c]


def index_incident(
    pipe: Any, keys: Keys, old: Incident | None, new: Incident, *, tz: tzinfo, recent_size: int
) -> None:
    """Keep every index and counter in step with the change old → new."""
    if old is None:
        stats, hour = _received(keys, tz, new.received_at)
        for name in daystats.intake_fields(hour, new.category, new.source):
            pipe.hincrby(stats, name, 1)
        pipe.expire(stats, 60 * 86400)
        pipe.zadd(keys.recent_index, {new.id: new.received_at.timestamp()})
        pipe.zremrangebyrank(keys.recent_index, 0, -recent_size - 1)
    was_open = old is not None and old.is_open
    if new.is_open and not was_open:
        pipe.zadd(keys.open_index, {new.id: new.reported_at.timestamp()})
        for code in _areas(new):
            pipe.hincrby(keys.open_by_area, code, 1)
    elif was_open and not new.is_open:
        pipe.zrem(keys.open_index, new.id)
        for code in _areas(new):
            pipe.hincrby(keys.open_by_area, code, -1)
    if not new.is_open and (old is None or old.is_open) and new.closed_at is not None:
        closed = new.closed_at.astimezone(tz).strftime("%Y%m%d")
        pipe.hincrby(keys.daily_stats(closed), daystats.CLOSED, 1)
        pipe.zadd(keys.closed_index, {new.id: new.closed_at.timestamp()})
    elif new.is_open and old is not None and not old.is_open:
        pipe.zrem(keys.closed_index, new.id)  # reopened: not due for the purge
    index_case(pipe, keys, old, new)
    index_clock(pipe, keys, old, new)
