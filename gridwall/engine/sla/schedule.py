"""What the SLA clock fires: one plan per running stage, written by the processor.

Each running stage of each incident has one member ``<incident id>|<stage key>`` in the due
sorted set (score: the epoch milliseconds of its next signal) and one plan in the plans hash:

```json
{"i": "<incident id>", "s": "<stage key>", "d": "<deadline ISO>",
 "q": [["warning", 50, 0, <due ms>, "<due ISO>"], ..., ["breach", 100, 0, ...]]}
```

(written compact by msgspec: times are RFC 3339 with their own offset, ``Z`` for UTC; the
clock makes the signals' ids of these strings, so they never change for a written plan).

``q`` lists the signals still to fire, in time order: warnings, the breach (threshold 100,
repeat 0) and, after a breach, the next escalation step (threshold 100, repeat k ≥ 1). The
processor rewrites a plan only when its identity (deadline, next escalation) changes, so a plan
the clock is consuming is never rewritten under it with signals already sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import NamedTuple

import msgspec

from gridwall.engine.incident import Incident, Stage
from gridwall.engine.sla.stages import BREACH

PlanId = tuple[datetime, datetime | None, int]

_ENCODE = msgspec.json.encode


class Plan(NamedTuple):
    member: str
    score_ms: int
    body: str


def epoch_ms(value: datetime) -> int:
    return round(value.timestamp() * 1000)


def member(incident_id: str, stage_key: str) -> str:
    return f"{incident_id}|{stage_key}"


def plan_id(stage: Stage | None) -> PlanId | None:
    """What identifies a stage's plan; None when the stage's clock is not running."""
    if stage is None or not stage.running or stage.deadline is None:
        return None
    return stage.deadline, stage.next_escalation, stage.escalation_step


def plan(incident_id: str, stage_key: str, stage: Stage, *, marks: bool = True) -> Plan | None:
    """The plan of a running stage (None when nothing is left to fire).

    ``marks=False`` leaves the warnings and the breach out: they were planned with the
    deadline and the clock has sent them all once the breach is applied (it sends a plan's
    items in time order), so a plan rewritten for the next escalation step of the same deadline
    must not send them again, even when a crashed processor's entries are applied late.
    """
    if plan_id(stage) is None:
        return None
    assert stage.deadline is not None
    items: list[Item] = []
    if marks:
        fired = stage.fired
        for threshold, at in stage.marks.items():
            if threshold not in fired:
                signal = "breach" if threshold >= BREACH else "warning"
                items.append((signal, threshold, 0, epoch_ms(at), at))
    if stage.next_escalation is not None:
        at = stage.next_escalation
        step = stage.escalation_step + 1
        items.append(("breach", BREACH, step, epoch_ms(at), at))
    if not items:
        return None
    items.sort(key=_ORDER)
    body = {"i": incident_id, "s": stage_key, "d": stage.deadline, "q": items}
    return Plan(member(incident_id, stage_key), items[0][3], _ENCODE(body).decode())


#: One signal of a plan: signal, threshold, repeat, due (epoch ms), due (encoded as ISO 8601).
Item = tuple[str, int, int, int, datetime]


#: Plan items in time order (due ms, then threshold, then repeat).
_ORDER = itemgetter(3, 1, 2)


@dataclass(frozen=True)
class PlanChanges:
    """Plans to write and members to drop for one incident's change."""

    write: list[Plan]
    drop: list[str]


def plan_changes(old: Incident | None, new: Incident) -> PlanChanges:
    """Compare the stages' plan identities before and after a change."""
    changes = PlanChanges([], [])
    before_stages = old.stages if old is not None else {}
    after_stages = new.stages
    for key, stage in after_stages.items():
        previous = before_stages.get(key)
        if stage is not previous:  # the lifecycle never mutates a stage: same object, same plan
            _compare(changes, new.id, key, previous, stage)
    for key, previous in before_stages.items():
        if key not in after_stages:
            _compare(changes, new.id, key, previous, None)
    return changes


def _compare(
    changes: PlanChanges, incident_id: str, key: str, previous: Stage | None, stage: Stage | None
) -> None:
    before = plan_id(previous)
    after = plan_id(stage)
    if before == after:
        return
    same_deadline = before is not None and after is not None and before[0] == after[0]
    made = plan(incident_id, key, stage, marks=not same_deadline) if stage is not None else None
    if made is None:
        changes.drop.append(member(incident_id, key))
    else:
        changes.write.append(made)
