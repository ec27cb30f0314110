"""A working copy of an incident while one event is applied to it.

The lifecycle never mutates an incident: it collects changes here and ``build()`` makes the new
document in one shallow copy (the processor compares old and new to write indexes and clock
plans). Stage runs that are replaced or cancelled move to ``past_stages``, so the whole record
stays readable (``GET /api/v1/incidents?format=jsonl``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gridwall.engine.incident import (
    FEEDBACK_STAGES,
    DepartmentRole,
    Incident,
    Stage,
    StageName,
    Transition,
)
from gridwall.engine.sla import stages
from gridwall.engine.sla.calendar import WorkCalendar
from gridwall.engine.sla.policy import Policy, PolicyBook


class Draft:
    def __init__(self, incident: Incident, book: PolicyBook) -> None:
        self.base = incident
        self.book = book
        self.changes: dict[str, Any] = {}
        self.stages: dict[str, Stage] = dict(incident.stages)
        self._past: list[Stage] | None = None
        self._counts: dict[str, int] = {}
        self._history: list[Transition] = []

    # -- fields ------------------------------------------------------------------------
    def get(self, name: str) -> Any:
        return self.changes[name] if name in self.changes else getattr(self.base, name)

    def set(self, name: str, value: Any) -> None:
        self.changes[name] = value

    def count(self, name: str, by: int = 1) -> None:
        self._counts[name] = self._counts.get(name, 0) + by

    def history(self, entry: Transition) -> None:
        self._history.append(entry)

    @property
    def policy(self) -> Policy:
        return self.book.get(self.base.policy)

    @property
    def calendar(self) -> WorkCalendar:
        return self.book.calendar

    # -- stages ------------------------------------------------------------------------
    def stage(self, key: str) -> Stage | None:
        return self.stages.get(key)

    def put(self, key: str, stage: Stage) -> None:
        self.stages[key] = stage

    def _archive(self, stage: Stage) -> None:
        if self._past is None:
            self._past = list(self.base.past_stages)
        self._past.append(stage)

    def start(
        self,
        name: StageName,
        at: datetime,
        *,
        department: str | None = None,
        role: DepartmentRole | None = None,
        key: str | None = None,
    ) -> Stage:
        """Start a new run of a stage; an earlier run of the same key is archived."""
        key = key or name.value
        previous = self.stages.get(key)
        if previous is not None:
            if previous.ended_at is None:
                previous = stages.end(previous, self.calendar, at, "cancelled")
            self._archive(previous)
        stage = stages.start(name, self.policy, self.calendar, at, department=department, role=role)
        self.stages[key] = stage
        return stage

    def stop(self, key: str, at: datetime, outcome: str = "done") -> Stage | None:
        """End a stage's clock if it is still open (running or paused)."""
        stage = self.stages.get(key)
        if stage is None or stage.ended_at is not None:
            return None
        ended = stages.end(stage, self.calendar, at, outcome)
        self.stages[key] = ended
        return ended

    def cancel(self, key: str, at: datetime) -> None:
        """Drop a stage that no longer applies (a wrong dispatch); it is archived."""
        stage = self.stages.pop(key, None)
        if stage is None:
            return
        if stage.ended_at is None:
            stage = stages.end(stage, self.calendar, at, "cancelled")
        self._archive(stage)

    def handle_keys(self) -> list[str]:
        return [k for k, s in self.stages.items() if s.name is StageName.HANDLE]

    def pause_all(self, at: datetime) -> list[str]:
        """Pause every running stage but the feedback ones (the reporter is still owed)."""
        paused = []
        for key, stage in list(self.stages.items()):
            if stage.running and stage.name not in FEEDBACK_STAGES:
                self.stages[key] = stages.pause(stage, self.calendar, at)
                paused.append(key)
        return paused

    def resume_all(self, at: datetime) -> list[str]:
        resumed = []
        for key, stage in list(self.stages.items()):
            if stage.running_since is None and stage.ended_at is None:
                thresholds = self.book.get(stage.policy).thresholds
                self.stages[key] = stages.resume(stage, self.calendar, thresholds, at)
                resumed.append(key)
        return resumed

    # -- result ------------------------------------------------------------------------
    def build(self) -> Incident:
        update = dict(self.changes)
        update["stages"] = self.stages
        if self._past is not None:
            update["past_stages"] = self._past
        if self._counts:
            counters = self.base.counters
            update["counters"] = counters.model_copy(
                update={k: getattr(counters, k) + v for k, v in self._counts.items()}
            )
        if self._history:
            update["history"] = [*self.base.history, *self._history]
        handle = self.stages.get("handle")
        update["due_at"] = handle.deadline if handle is not None else None
        return self.base.model_copy(update=update)
