"""Indexes the processor keeps beside each incident document (same MULTI/EXEC as the write).

* ``index_case``: the reported/updated/due indexes, per-department open sets (lead and
  co-handling apart) and the counters of open incidents per SLA state;
* ``index_clock``: the SLA clock's plans (``feeds.sla.schedule``), rewritten only when a
  stage's deadline or escalation changes.

Both compare the document before and after a change and write only the difference, so they
can never drift from the documents.
"""

from __future__ import annotations

from typing import Any

from feeds.incident import Incident, SlaState, sla_view
from feeds.keys import Keys
from feeds.sla.schedule import plan_changes

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
