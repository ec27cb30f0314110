"""Simulated case lifecycles: what a centre and its departments do with each report.

Pure and deterministic for a random generator: ``script()`` returns the steps of one case in
realistic time (seconds after the report): accept, dispatch to a lead (and sometimes
co-handling) department, sign for, handle, report back, verify, close, answer the reporting
grid, evaluate; with send-backs and re-dispatch, extension requests (mostly approved), parking
and resuming, reworks after a failed verification, co-handlers reporting back, and some cases
left stuck so that they run overdue. Departments differ in speed. The simulator replays the
steps, compressed for live demo cases and at their real times for the backfilled history.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gridwall.contract.events import Action
from gridwall.refdata.registry import Registry

#: Departments used when the reference data lists none (the skeleton's demo county).
DEMO_DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("CG", "城市管理局"),
    ("ZJ", "住房和城乡建设局"),
    ("SW", "水务局"),
    ("HB", "生态环境分局"),
    ("GA", "公安分局"),
    ("MZ", "民政局"),
    ("SJ", "市场监督管理局"),
    ("XF", "消防救援大队"),
    ("GD", "供电公司"),
    ("JD", "街道办事处"),
)

#: Default lead per demo category (when the catalogue names none).
DEMO_LEADS: dict[str, str] = {
    "01": "CG", "02": "CG", "03": "ZJ", "04": "CG", "05": "SW", "11": "JD",
    "12": "ZJ", "13": "GA", "14": "XF", "15": "HB", "16": "MZ",
}  # fmt: skip

MINUTE, HOUR, DAY = 60.0, 3600.0, 86400.0


@dataclass(frozen=True)
class Step:
    """One action, ``after`` seconds (case time) after the previous step."""

    after: float
    action: str
    department: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    actor: str = "值班员"

    def event(
        self,
        incident_id: str | None,
        at: datetime,
        received_at: datetime,
        *,
        source: str,
        ref: str,
        event_id: str,
    ) -> Action:
        """This step as the inbox action of case ``incident_id``, done at ``at``."""
        return Action(
            event_id=event_id,
            source=source,
            source_event_id=ref,
            received_at=received_at,
            incident_id=incident_id,
            action=self.action,
            actor=self.actor,
            at=at,
            department=self.department,
            note=self.note,
            params=self.params,
        )


@dataclass(frozen=True)
class Departments:
    codes: tuple[str, ...]
    speed: dict[str, float]
    leads: dict[str, str]

    @classmethod
    def of(cls, registry: Registry, rng: random.Random) -> Departments:
        listed = sorted(registry.departments)
        codes = tuple(listed) if listed else tuple(c for c, _ in DEMO_DEPARTMENTS)
        speed = {c: rng.choice([0.4, 0.6, 0.8, 1.0, 1.0, 1.3, 1.8, 2.6]) for c in codes}
        leads = {}
        for code, category in registry.categories.items():
            lead = category.department or DEMO_LEADS.get(code[:2])
            leads[code] = lead if lead in codes else codes[zlib.crc32(code.encode()) % len(codes)]
        return cls(codes, speed, leads)

    def lead(self, category: str, rng: random.Random) -> str:
        found = self.leads.get(category)
        return found if found else rng.choice(self.codes)


def _handling(rng: random.Random, depts: Departments, lead: str, co: list[str]) -> list[Step]:
    """Sign for, maybe extend or park, co-handlers report back, the lead reports back."""
    speed = depts.speed.get(lead, 1.0)
    steps = [Step(rng.uniform(10 * MINUTE, 6 * HOUR) * speed, "sign", lead, actor=f"{lead}经办人")]
    if rng.random() < 0.1:
        steps.append(
            Step(
                rng.uniform(1, 30) * HOUR,
                "request_extension",
                lead,
                {"by": rng.choice(["1d", "2d", "3d"])},
                "需要协调施工队伍",
                f"{lead}经办人",
            )
        )
        verdict = "approve_extension" if rng.random() < 0.8 else "reject_extension"
        steps.append(Step(rng.uniform(10 * MINUTE, 4 * HOUR), verdict))
    if rng.random() < 0.04:
        steps.append(Step(rng.uniform(1, 10) * HOUR, "park", note="季节性施工，挂账"))
        steps.append(Step(rng.uniform(1, 4) * DAY, "resume", note="恢复处置"))
    for code in co:
        steps.append(
            Step(
                rng.uniform(2 * HOUR, 3 * DAY) * depts.speed.get(code, 1.0),
                "report_back",
                code,
                actor=f"{code}经办人",
            )
        )
    steps.append(
        Step(
            rng.uniform(3 * HOUR, 4 * DAY) * speed,
            "report_back",
            lead,
            note="已处置完毕",
            actor=f"{lead}经办人",
        )
    )
    return steps


def script(rng: random.Random, depts: Departments, category: str) -> list[Step]:
    """The steps of one simulated case."""
    steps = [Step(rng.uniform(2 * MINUTE, 40 * MINUTE), "accept")]
    if rng.random() < 0.03:  # an invalid report, closed at once
        return [*steps, Step(rng.uniform(5, 60) * MINUTE, "close", note="不属于受理范围")]
    steps.append(Step(rng.uniform(10 * MINUTE, 3 * HOUR), "feedback", note="已受理"))
    lead = depts.lead(category, rng)
    co = [c for c in rng.sample(depts.codes, k=min(2, len(depts.codes))) if c != lead]
    co = co[: rng.choice([0, 0, 0, 1, 1, 2])]
    steps.append(Step(rng.uniform(5 * MINUTE, 2 * HOUR), "dispatch", lead, {"co": co}))
    if rng.random() < 0.08:  # a wrong dispatch: sent back and re-dispatched
        steps.append(
            Step(
                rng.uniform(1, 20) * HOUR,
                "send_back",
                lead,
                note="不属于本部门职责",
                actor=f"{lead}经办人",
            )
        )
        lead = rng.choice([c for c in depts.codes if c != lead] or [lead])
        co = [c for c in co if c != lead]
        steps.append(Step(rng.uniform(10 * MINUTE, 3 * HOUR), "dispatch", lead, {"co": co}))
    if rng.random() < 0.07:  # stuck: nobody acts again, the case runs overdue
        return steps
    steps.extend(_handling(rng, depts, lead, co))
    if rng.random() < 0.12:  # verification fails: rework
        steps.append(
            Step(
                rng.uniform(1, 24) * HOUR,
                "verify",
                params={"result": "fail"},
                note="现场核查未整改到位",
                actor="核查员",
            )
        )
        steps.append(
            Step(
                rng.uniform(2 * HOUR, 2 * DAY) * depts.speed.get(lead, 1.0),
                "report_back",
                lead,
                note="已重新处置",
                actor=f"{lead}经办人",
            )
        )
    steps.append(
        Step(
            rng.uniform(1, 30) * HOUR,
            "verify",
            params={"result": "pass"},
            note="现场核查通过",
            actor="核查员",
        )
    )
    if rng.random() < 0.9:
        steps.append(Step(rng.uniform(30 * MINUTE, 12 * HOUR), "feedback", note="已办结"))
        if rng.random() < 0.6:
            steps.append(
                Step(
                    rng.uniform(1, 48) * HOUR,
                    "evaluate",
                    params={"rating": rng.choice([3, 4, 5, 5, 5])},
                )
            )
    return steps
