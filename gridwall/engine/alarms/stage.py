"""The processor's alarm step: storm control and incident-opening rules, in the batch's
transaction.

``prepare`` runs while the processor's transaction is WATCHing (it watches and reads the merged
alarms the batch touches and takes incident numbers); ``write`` queues the new state inside the
MULTI: merged-alarm documents, the per-(camera, type) pointers, the alarm index, the
alarm-changes stream, and a normal ``Report`` into the inbox for every alarm a rule says opens
an incident (de-duplicated on ``alarm:<alarm id>``, so a replay never opens a second). All of it
commits with the batch's XACK or not at all.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

import redis

from gridwall.contract import daystats
from gridwall.contract.alarmtypes import kind_of
from gridwall.contract.events import Alarm, AreaPath, Report, Urgency
from gridwall.contract.inbox import Inbox, new_event_id
from gridwall.engine.alarms.rules import AlarmRule, RuleSet, load_rules
from gridwall.engine.alarms.state import Decision, MergedAlarm, decide, subject_of, summary
from gridwall.platform.keys import Keys
from gridwall.platform.settings import AlarmSettings, Settings
from gridwall.refdata.registry import Registry, RegistryCache

#: The op of a merged alarm's change in one batch: the strongest wins (new > end > merge).
_STRENGTH = {"merge": 0, "end": 1, "new": 2}
#: Approximate length kept of the alarm-changes stream.
CHANGES_MAXLEN = 100_000


@dataclass
class AlarmPlan:
    changed: dict[str, tuple[str, MergedAlarm, str]] = field(default_factory=dict)
    reports: list[Report] = field(default_factory=list)
    received: int = 0
    day: str = ""
    #: Alarm events per camera id, and from devices the registry does not know (the briefing's
    #: noisiest cameras and unknown devices).
    per_camera: dict[str, int] = field(default_factory=dict)
    unknown: int = 0


class AlarmStage:
    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        tz: tzinfo,
        settings: AlarmSettings,
        rules: RuleSet,
        *,
        inbox: Inbox,
        registry: RegistryCache,
    ) -> None:
        self.keys = keys
        self.tz = tz
        self.settings = settings
        self.rules = rules
        self.inbox = inbox
        self.registry = registry

    @classmethod
    def create(
        cls, client: redis.Redis, keys: Keys, tz: tzinfo, settings: AlarmSettings | None = None
    ) -> AlarmStage:
        chosen = settings or AlarmSettings()
        return cls(
            client,
            keys,
            tz,
            chosen,
            load_rules(chosen.rules),
            inbox=Inbox(client, keys, tz),  # type: ignore[arg-type]
            registry=RegistryCache(client, keys),
        )

    @classmethod
    def from_settings(cls, client: redis.Redis, keys: Keys, settings: Settings) -> AlarmStage:
        from zoneinfo import ZoneInfo  # noqa: PLC0415

        return cls.create(client, keys, ZoneInfo(settings.timezone), settings.alarms)

    # -- while WATCHing -----------------------------------------------------------------
    def prepare(self, pipe: Any, events: Sequence[Alarm], now: datetime) -> AlarmPlan:
        pairs = list(dict.fromkeys((subject_of(e), e.alarm_type) for e in events))
        pointers = [self.keys.alarm_current(s, t) for s, t in pairs]
        pipe.watch(*pointers)
        ids = [_text(i) if i is not None else None for i in pipe.mget(pointers)]
        doc_keys = [self.keys.alarm(i) for i in ids if i is not None]
        docs: dict[str, MergedAlarm] = {}
        if doc_keys:
            pipe.watch(*doc_keys)
            for raw in pipe.mget(doc_keys):
                if raw is not None:
                    alarm = MergedAlarm.model_validate_json(raw)
                    docs[alarm.id] = alarm
        current: dict[tuple[str, str], MergedAlarm | None] = {
            pair: docs.get(i) if i else None for pair, i in zip(pairs, ids, strict=True)
        }
        registry = self.registry.get()
        plan = AlarmPlan(received=len(events), day=now.astimezone(self.tz).strftime("%Y%m%d"))
        opening: list[tuple[MergedAlarm, AlarmRule]] = []
        for event in events:
            if event.camera_id:
                plan.per_camera[event.camera_id] = plan.per_camera.get(event.camera_id, 0) + 1
            else:
                plan.unknown += 1
            pair = (subject_of(event), event.alarm_type)
            decision = self._decide(current[pair], event, registry)
            if decision.op is None or decision.alarm is None:
                continue
            current[pair] = decision.alarm
            self._record(plan, decision, pointer=self.keys.alarm_current(*pair))
            if decision.rule is not None:
                opening.append((decision.alarm, decision.rule))
        for alarm, rule in opening:
            latest = plan.changed[alarm.id][1]
            report = self._report(pipe, latest, rule, registry, now)
            updated = latest.model_copy(update={"incident_id": report.incident_id})
            op, _old, pointer = plan.changed[alarm.id]
            plan.changed[alarm.id] = (op, updated, pointer)
            plan.reports.append(report)
        return plan

    def _decide(self, current: MergedAlarm | None, event: Alarm, registry: Registry) -> Decision:
        camera = registry.camera(event.camera_id) if event.camera_id else None
        return decide(
            current,
            event,
            rules=self.rules,
            group=camera.group if camera else None,
            window_s=self.settings.merge_window_s,
            skew_s=self.settings.clock_skew_s,
            tz=self.tz,
        )

    @staticmethod
    def _record(plan: AlarmPlan, decision: Decision, pointer: str) -> None:
        assert decision.alarm is not None
        assert decision.op is not None
        alarm = decision.alarm
        earlier = plan.changed.get(alarm.id)
        op = decision.op
        if earlier is not None and _STRENGTH[earlier[0]] > _STRENGTH[op]:
            op = earlier[0]
        plan.changed[alarm.id] = (op, alarm, pointer)

    def _report(
        self, pipe: Any, alarm: MergedAlarm, rule: AlarmRule, registry: Registry, now: datetime
    ) -> Report:
        """The incident a rule opens for an alarm, with its number taken now."""
        day = now.astimezone(self.tz).strftime("%Y%m%d")
        number = int(pipe.incr(self.keys.incident_seq(day)))
        pipe.expire(self.keys.incident_seq(day), 172_800)
        camera = registry.camera(alarm.camera_id) if alarm.camera_id else None
        category = registry.category(alarm.category)
        urgency = rule.urgency or (category.urgency if category else Urgency.NORMAL)
        kind = kind_of(alarm.alarm_type)
        where = camera.name if camera else alarm.device_key
        reported = alarm.first_at
        if alarm.first_device_time is not None and not alarm.clock_skew:
            reported = alarm.first_device_time
        return Report(
            event_id=new_event_id(),
            source=alarm.source,
            source_event_id=f"alarm:{alarm.id}",
            received_at=now,
            incident_id=f"{self.keys.county}-{day}-{number:05d}",
            category=alarm.category,
            urgency=urgency,
            area=alarm.area or AreaPath(county=self.keys.county),
            location=alarm.location,
            reported_at=reported,
            title=f"{where} {kind.zh}"[:200],
            description=f"{alarm.description} (告警 {alarm.id}, 规则 {rule.name})"[:4000],
            photos=[f"/api/v1/snapshots/{ref}" for ref in alarm.snapshots if "/" in ref][:9],
        )

    # -- inside MULTI -------------------------------------------------------------------
    def write(self, pipe: Any, plan: AlarmPlan | None) -> None:
        if plan is None:
            return
        retention = self.settings.retention_s
        pointer_ttl = math.ceil(self.settings.merge_window_s) + 300
        new = 0
        for alarm_id, (op, alarm, pointer) in plan.changed.items():
            pipe.set(self.keys.alarm(alarm_id), alarm.model_dump_json(), ex=retention)
            pipe.set(pointer, alarm_id, ex=pointer_ttl)
            pipe.zadd(self.keys.alarm_index, {alarm_id: alarm.last_at.timestamp()})
            pipe.xadd(
                self.keys.alarm_changes,
                {"op": op, "id": alarm_id, "s": json.dumps(summary(alarm), ensure_ascii=False)},
                maxlen=CHANGES_MAXLEN,
                approximate=True,
            )
            new += op == "new"
        if plan.changed:
            pipe.zremrangebyrank(self.keys.alarm_index, 0, -self.settings.index_size - 1)
        stats = self.keys.daily_stats(plan.day)
        pipe.hincrby(stats, daystats.ALARMS_RECEIVED, plan.received)
        pipe.hincrby(stats, daystats.ALARMS_NEW, new)
        pipe.hincrby(stats, daystats.ALARMS_UNKNOWN, plan.unknown)
        for camera_id, count in plan.per_camera.items():
            pipe.hincrby(stats, f"{daystats.CAMERA}{camera_id}", count)
        for report in plan.reports:
            self.inbox.enqueue_into(pipe, report)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
