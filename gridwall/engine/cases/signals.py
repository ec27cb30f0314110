"""Applying the SLA clock's signals to an incident: warnings, breaches, escalation steps.

A signal names a stage and the deadline it was planned for. It applies only if that stage is
still running towards that same deadline (otherwise it is stale: the stage ended, was paused or
its deadline moved, and the new plan fires its own signals) and only once per threshold (the
stage's ``fired`` list) or escalation step (``escalation_step``). A breach schedules the first
escalation step of the matching rule; each step schedules the next while the rule repeats.
"""

from __future__ import annotations

from datetime import datetime

from gridwall.contract.events import SlaSignal
from gridwall.contract.refusal import ActionRefused
from gridwall.engine.cases.actions import escalate_to
from gridwall.engine.cases.draft import Draft
from gridwall.engine.incident import LEVEL_ORDER, Stage, Transition
from gridwall.engine.sla.stages import BREACH, fire

ACTOR = "sla-clock"


def _record(d: Draft, event: SlaSignal, action: str, note: str, detail: dict[str, object]) -> None:
    status = d.get("status")
    d.history(
        Transition(
            at=event.at,
            action=action,
            actor=ACTOR,
            from_status=status,
            to_status=status,
            note=note,
            event_id=event.event_id,
            department=None,
            detail={"stage": event.stage, "deadline": event.deadline.isoformat(), **detail},
        )
    )


def _first_step(d: Draft, stage: Stage) -> datetime | None:
    rule = d.book.escalation(stage.policy, stage.name)
    if rule is None or stage.deadline is None:
        return None
    return d.calendar.add(stage.deadline, rule.after, stage.basis)


def apply_signal(d: Draft, event: SlaSignal) -> bool:
    """Apply one signal; False when it is stale or was applied before."""
    stage = d.stage(event.stage)
    if stage is None or not stage.running or stage.deadline != event.deadline:
        return False
    if event.repeat == 0:
        if event.threshold in stage.fired or event.threshold not in stage.marks:
            return False
        stage = fire(stage, event.threshold)
        if event.threshold >= BREACH:
            d.count("breaches")
            stage = stage.model_copy(update={"next_escalation": _first_step(d, stage)})
            _record(d, event, "sla.breach", f"{event.stage} overdue", {})
        d.put(event.stage, stage)
        return True
    if event.repeat != stage.escalation_step + 1 or stage.next_escalation is None:
        return False
    d.put(event.stage, _escalation_step(d, stage, event))
    return True


def _escalation_step(d: Draft, stage: Stage, event: SlaSignal) -> Stage:
    rule = d.book.escalation(stage.policy, stage.name)
    step = event.repeat
    if rule is None:
        return stage.model_copy(update={"escalation_step": step, "next_escalation": None})
    action = rule.rule.action
    detail: dict[str, object] = {"step": step}
    if action == "escalate":
        try:
            detail.update(escalate_to(d, rule.rule.to, rule.rule.max_level))
        except ActionRefused as refused:
            detail["skipped"] = str(refused)
    elif action == "urge":
        d.count("urges")
    else:
        d.count("supervisions")
    _record(d, event, f"sla.{action}", f"{event.stage} overdue: {action} (step {step})", detail)
    at_cap = LEVEL_ORDER.index(d.get("level")) >= LEVEL_ORDER.index(rule.rule.max_level)
    repeats = rule.repeat_every is not None and (
        rule.rule.max_repeats is None or step < rule.rule.max_repeats
    )
    following = None
    if repeats and not (action == "escalate" and at_cap) and rule.repeat_every is not None:
        assert stage.next_escalation is not None
        following = d.calendar.add(stage.next_escalation, rule.repeat_every, stage.basis)
    return stage.model_copy(update={"escalation_step": step, "next_escalation": following})
