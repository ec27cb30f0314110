"""The pure clock of one SLA stage: start, end, pause, resume, extend, and its marks.

A stage counts clock time (working or calendar, per its policy) from ``started_at``; parking
pauses it and resuming recomputes the deadline from the time still left (``limit − consumed``),
so a paused stage never loses or gains time. ``marks`` hold the instant each warning threshold
and the deadline (100) fall at; the SLA clock fires them. When the deadline moves (extension,
resume, rework) thresholds already fired stay fired only if they are still crossed under the
new deadline; the others fire again at their new instants: exactly one signal per threshold
per deadline.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

from gridwall.engine.incident import DepartmentRole, SlaState, Stage, StageName, TimeBasis
from gridwall.engine.sla.calendar import WorkCalendar
from gridwall.engine.sla.policy import Policy

BREACH = 100


def _seconds(value: timedelta) -> float:
    return value.total_seconds()


def compute_marks(
    calendar: WorkCalendar,
    since: datetime,
    consumed_s: float,
    limit_s: float,
    thresholds: tuple[int, ...],
    *,
    basis: TimeBasis,
) -> dict[int, datetime]:
    """Instants at which a clock running since ``since`` reaches each threshold (and 100 %)."""
    reached, ahead, steps = _steps(consumed_s, limit_s, thresholds)
    marks = dict.fromkeys(reached, since)
    for threshold, at in zip(ahead, calendar.add_each(since, steps, basis), strict=True):
        marks[threshold] = at
    return marks


@lru_cache(maxsize=1024)
def _steps(
    consumed_s: float, limit_s: float, thresholds: tuple[int, ...]
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[timedelta, ...]]:
    """Thresholds already reached, thresholds ahead and the clock time from each one ahead to
    the next (each mark is added to the one before: additivity, one calendar walk); the same
    for every stage of a policy's limit."""
    used = timedelta(seconds=consumed_s)
    reached: list[int] = []
    ahead: list[int] = []
    steps: list[timedelta] = []
    last = used
    for threshold in (*thresholds, BREACH):
        target = timedelta(seconds=limit_s * threshold / 100)
        if target <= used:
            reached.append(threshold)
            continue
        ahead.append(threshold)
        steps.append(target - last)
        last = target
    return tuple(reached), tuple(ahead), tuple(steps)


def _state(fired: list[int]) -> SlaState:
    if BREACH in fired:
        return SlaState.OVERDUE
    return SlaState.WARNING if fired else SlaState.NORMAL


def start(
    name: StageName,
    policy: Policy,
    calendar: WorkCalendar,
    at: datetime,
    *,
    department: str | None = None,
    role: DepartmentRole | None = None,
) -> Stage:
    """A new running stage whose clock starts at ``at`` (the time its event carries)."""
    rule = policy.stages[name]
    limit_s = _seconds(rule.limit)
    marks = compute_marks(calendar, at, 0.0, limit_s, policy.thresholds, basis=rule.basis)
    return Stage(  # what _schedule(..., keep=[]) makes, built once
        name=name,
        department=department,
        role=role,
        policy=policy.key,
        basis=rule.basis,
        limit_s=limit_s,
        started_at=at,
        running_since=at,
        marks=marks,
        deadline=marks[BREACH],
    )


def _schedule(
    stage: Stage,
    calendar: WorkCalendar,
    thresholds: tuple[int, ...],
    at: datetime,
    keep: list[int],
) -> Stage:
    """(Re)compute deadline and marks from ``running_since``; keep fired marks still crossed."""
    assert stage.running_since is not None
    marks = compute_marks(
        calendar,
        stage.running_since,
        stage.consumed_s,
        stage.limit_s,
        thresholds,
        basis=stage.basis,
    )
    fired = [t for t in keep if t in marks and marks[t] <= at]
    return stage.model_copy(
        update={
            "marks": marks,
            "deadline": marks[BREACH],
            "fired": fired,
            "state": _state(fired),
            "escalation_step": 0,
            "next_escalation": None,
        }
    )


def elapsed_s(stage: Stage, calendar: WorkCalendar, now: datetime) -> float:
    """Clock time the stage has used up to ``now`` (or up to its end)."""
    used = stage.consumed_s
    if stage.running_since is not None:
        end = stage.ended_at or now
        used += _seconds(calendar.elapsed(stage.running_since, end, stage.basis))
    return used


def end(stage: Stage, calendar: WorkCalendar, at: datetime, outcome: str = "done") -> Stage:
    """Stop the clock for good: ``done`` (the stage's work happened) or ``cancelled``."""
    used = elapsed_s(stage, calendar, at)
    late = outcome == "done" and stage.deadline is not None and at > stage.deadline
    state = SlaState.OVERDUE if late else stage.state
    return stage.model_copy(
        update={
            "consumed_s": used,
            "running_since": None,
            "ended_at": at,
            "outcome": outcome,
            "state": state,
            "breached": stage.breached or late,
            "next_escalation": None,
        }
    )


def pause(stage: Stage, calendar: WorkCalendar, at: datetime) -> Stage:
    """Stop the clock until ``resume`` (挂账)."""
    if not stage.running:
        return stage
    return stage.model_copy(
        update={
            "consumed_s": elapsed_s(stage, calendar, at),
            "running_since": None,
            "deadline": None,
            "marks": {},
            "next_escalation": None,
            "state": SlaState.PAUSED,
        }
    )


def resume(
    stage: Stage, calendar: WorkCalendar, thresholds: tuple[int, ...], at: datetime
) -> Stage:
    """Restart a paused (or finished, for a rework) stage with the time it has left."""
    keep = list(stage.fired)
    resumed = stage.model_copy(update={"running_since": at, "ended_at": None, "outcome": None})
    return _schedule(resumed, calendar, thresholds, at, keep)


def extend(
    stage: Stage,
    calendar: WorkCalendar,
    thresholds: tuple[int, ...],
    by: timedelta,
    at: datetime,
) -> Stage:
    """An approved extension (延期): the limit grows by ``by``, the deadline moves."""
    extended = stage.model_copy(
        update={
            "limit_s": stage.limit_s + _seconds(by),
            "extended_s": stage.extended_s + _seconds(by),
            "extensions": stage.extensions + 1,
        }
    )
    if not extended.running:
        return extended
    return _schedule(extended, calendar, thresholds, at, list(stage.fired))


def fire(stage: Stage, threshold: int) -> Stage:
    """Record an applied warning or breach signal."""
    fired = sorted({*stage.fired, threshold})
    return stage.model_copy(
        update={
            "fired": fired,
            "state": _state(fired),
            "breached": stage.breached or threshold >= BREACH,
        }
    )


def describe(stage: Stage, calendar: WorkCalendar, now: datetime) -> dict[str, object]:
    """A stage as the read API shows it: deadline, live SLA state, clock time used and left."""
    used = elapsed_s(stage, calendar, now)
    return {
        "name": stage.name.value,
        "department": stage.department,
        "role": stage.role,
        "policy": stage.policy,
        "basis": stage.basis.value,
        "limit_s": stage.limit_s,
        "started_at": stage.started_at.isoformat(),
        "deadline": stage.deadline.isoformat() if stage.deadline else None,
        "state": stage.state_at(now).value,
        "running": stage.running,
        "elapsed_s": round(used, 3),
        "remaining_s": None if stage.ended_at else round(stage.limit_s - used, 3),
        "percent": round(100 * used / stage.limit_s, 1) if stage.limit_s else None,
        "marks": {str(t): at.isoformat() for t, at in stage.marks.items()},
        "fired": stage.fired,
        "ended_at": stage.ended_at.isoformat() if stage.ended_at else None,
        "outcome": stage.outcome,
        "on_time": stage.on_time,
        "extensions": stage.extensions,
        "extended_s": stage.extended_s,
    }
