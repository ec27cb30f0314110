"""The incident (事件/案件): one reported matter and its whole closed loop.

The processor is the only writer of incident documents. An incident carries its status, the
departments it is dispatched to (one lead, 主办, and co-handling ones, 协办), its level
(community → street → county → city), its SLA stages (each with its own clock, deadline,
warning marks and state) and its history (who, when, from, to, note). ``summary()`` is the
public, personal-data-free view that goes onto the changes stream and the walls.

The models are ``gridwall.platform.document.Document`` structs (msgspec): immutable, stored as JSON
without default values, read with ``Incident.model_validate_json``. Personal fields carry the same
``x-personal`` marker as the event contract's (``Personal(kind)``), so ``personal_paths`` finds
them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any, Literal

import msgspec

from gridwall.access.privacy import mask_text
from gridwall.contract.events import AreaPath, PersonalKind, Point, Reporter, Urgency, personal
from gridwall.platform.document import Aware, Document

#: How many processed event ids an incident remembers, to apply each event once.
SEEN_EVENTS = 64


class TimeBasis(StrEnum):
    """How a stage's clock counts: working time, or calendar time (24×7, urgent classes)."""

    WORKING = "working"
    CALENDAR = "calendar"


class Status(StrEnum):
    """Lifecycle states (see the glossary for the Chinese terms)."""

    REPORTED = "reported"  # 上报
    ACCEPTED = "accepted"  # 受理/立案
    DISPATCHED = "dispatched"  # 已派遣, waiting for the lead department to sign for it
    HANDLING = "handling"  # 处置中 (signed for)
    REPORTED_BACK = "reported_back"  # 已反馈, waiting for verification (待核查)
    PARKED = "parked"  # 挂账: the clocks pause
    CLOSED = "closed"  # 结案
    EVALUATED = "evaluated"  # 已评价 (综合评价 done)


OPEN_STATUSES = frozenset(
    {
        Status.REPORTED,
        Status.ACCEPTED,
        Status.DISPATCHED,
        Status.HANDLING,
        Status.REPORTED_BACK,
        Status.PARKED,
    }
)


class CaseLevel(StrEnum):
    """Who owns a case; escalation (升级) moves it one level up."""

    COMMUNITY = "community"  # 社区/村
    STREET = "street"  # 街道/乡镇
    COUNTY = "county"  # 县/区
    CITY = "city"  # 市


LEVEL_ORDER = (CaseLevel.COMMUNITY, CaseLevel.STREET, CaseLevel.COUNTY, CaseLevel.CITY)


def level_above(level: CaseLevel) -> CaseLevel | None:
    index = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[index + 1] if index + 1 < len(LEVEL_ORDER) else None


class StageName(StrEnum):
    """The SLA stages of the closed loop, each on a clock of its own."""

    ACCEPT = "accept"  # 受理/立案: report → accept
    DISPATCH = "dispatch"  # 派遣: accept → dispatch
    SIGN = "sign"  # 签收: dispatch → sign for
    HANDLE = "handle"  # 处置: dispatch → report back (per department)
    VERIFY = "verify"  # 核查: report back → verify
    FEEDBACK_FIRST = "feedback_first"  # 下行反馈: report → first answer to the reporting grid
    FEEDBACK_RESULT = "feedback_result"  # 下行反馈: close → result answered to the grid


FEEDBACK_STAGES = frozenset({StageName.FEEDBACK_FIRST, StageName.FEEDBACK_RESULT})


class SlaState(StrEnum):
    NORMAL = "normal"  # 正常
    WARNING = "warning"  # 临期: past a warning threshold
    OVERDUE = "overdue"  # 超期: past the deadline
    PAUSED = "paused"  # 挂账: the clock is stopped


def Personal(kind: PersonalKind) -> msgspec.Meta:
    """Marker of a personal field of a document (``Annotated[str, Personal(...)]``)."""
    return msgspec.Meta(extra=personal(kind))


#: A department's part in a case: the lead (主办) or a co-handler (协办).
DepartmentRole = Literal["lead", "co"]


SLA_RANK = {SlaState.NORMAL: 0, SlaState.PAUSED: 0, SlaState.WARNING: 1, SlaState.OVERDUE: 2}


class Stage(Document, kw_only=True, frozen=True, gc=False):
    """One run of one SLA stage of an incident.

    ``limit_s`` is clock time (working or calendar seconds, extensions included). While the
    stage runs, ``running_since`` is set and ``deadline``/``marks`` say when it is due and when
    each warning threshold falls (``marks[100]`` is the deadline); ``consumed_s`` is the clock
    time used before ``running_since`` (earlier runs before a pause). ``fired`` lists the
    thresholds whose SLA signals were applied for the current deadline.
    """

    name: StageName
    department: str | None = None
    role: DepartmentRole | None = None
    policy: str
    basis: TimeBasis
    limit_s: float
    started_at: Aware
    running_since: Aware | None = None
    consumed_s: float = 0.0
    deadline: Aware | None = None
    marks: dict[int, Aware] = msgspec.field(default_factory=dict)
    fired: list[int] = msgspec.field(default_factory=list)
    state: SlaState = SlaState.NORMAL
    breached: bool = False
    ended_at: Aware | None = None
    outcome: Literal["done", "cancelled"] | None = None
    extensions: int = 0
    extended_s: float = 0.0
    escalation_step: int = 0
    next_escalation: Aware | None = None

    @property
    def running(self) -> bool:
        return self.running_since is not None and self.ended_at is None

    @property
    def on_time(self) -> bool | None:
        """Done by its deadline (None while not done)."""
        if self.outcome != "done" or self.ended_at is None or self.deadline is None:
            return None
        return self.ended_at <= self.deadline and not self.breached

    def state_at(self, now: datetime) -> SlaState:
        """The SLA state at ``now`` from the deadline and the warning marks (no signals)."""
        if self.ended_at is not None:
            return self.state
        if self.running_since is None or self.deadline is None:
            return SlaState.PAUSED
        if now >= self.deadline:
            return SlaState.OVERDUE
        warned = any(t < 100 and now >= at for t, at in self.marks.items())
        return SlaState.WARNING if warned else SlaState.NORMAL


class Transition(Document, kw_only=True, frozen=True, gc=False):
    """One entry of an incident's history."""

    at: Aware
    action: str
    actor: str
    from_status: Status | None
    to_status: Status
    note: Annotated[str, Personal(PersonalKind.NOTE)] = ""
    event_id: str
    department: str | None = None
    detail: dict[str, Any] = msgspec.field(default_factory=dict)


class Counters(Document, kw_only=True, frozen=True, gc=False):
    """How often things happened to an incident (for the KPIs)."""

    send_backs: int = 0  # 回退
    redispatches: int = 0
    reworks: int = 0  # 返工/重办
    extensions: int = 0  # 延期 (approved)
    parks: int = 0  # 挂账
    reopens: int = 0
    urges: int = 0  # 催办
    supervisions: int = 0  # 督办
    escalations: int = 0  # 升级
    breaches: int = 0


class ExtensionRequest(Document, kw_only=True, frozen=True, gc=False):
    stage: str
    by_s: float
    department: str | None = None
    actor: str
    at: Aware
    note: str = ""


class Incident(Document, kw_only=True, frozen=True):
    id: str
    county: str
    source: str
    source_event_id: str
    category: str
    urgency: Urgency
    area: AreaPath
    location: Point | None = None
    title: Annotated[str, Personal(PersonalKind.TEXT)]
    description: Annotated[str, Personal(PersonalKind.NOTE)] = ""
    reporter: Reporter | None = None
    photos: list[str] = msgspec.field(default_factory=list)
    status: Status
    reported_at: Aware
    received_at: Aware
    accepted_at: Aware | None = None
    dispatched_at: Aware | None = None
    resolved_at: Aware | None = None
    closed_at: Aware | None = None
    updated_at: Aware
    version: int = 1
    policy: str = "normal"
    level: CaseLevel = CaseLevel.COMMUNITY
    lead: str | None = None
    co: list[str] = msgspec.field(default_factory=list)
    parked_from: Status | None = None
    extension_request: ExtensionRequest | None = None
    due_at: Aware | None = None
    on_time: bool | None = None
    rating: int | None = None
    counters: Counters = Counters()
    stages: dict[str, Stage] = msgspec.field(default_factory=dict)
    past_stages: list[Stage] = msgspec.field(default_factory=list)
    history: list[Transition] = msgspec.field(default_factory=list)
    seen: list[str] = msgspec.field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def departments(self) -> list[str]:
        """Lead first, then the co-handling departments (for access by department)."""
        return ([self.lead] if self.lead else []) + [c for c in self.co if c != self.lead]


def handle_key(department: str | None, role: str | None) -> str:
    """Stage key of a department's handling: ``handle`` (lead) or ``handle@<code>`` (co)."""
    return "handle" if role != "co" else f"handle@{department}"


class _AreaView(msgspec.Struct, frozen=True):
    grid: str | None = None
    community: str | None = None
    street: str | None = None


class _PointView(msgspec.Struct, frozen=True):
    lon: float
    lat: float


class _StageView(msgspec.Struct, frozen=True, gc=False):
    state: SlaState = SlaState.NORMAL
    deadline: Aware | None = None
    ended_at: Aware | None = None


class IncidentView(msgspec.Struct, kw_only=True, frozen=True):
    """The fields of a stored incident that ``summary`` reads, under the document's names.

    Decoding a document into it skips everything else (the history, the reporter, past stages,
    warning marks), which is most of a case's bytes: the walls load every open incident's
    summary this way when they start (``summaries_of``). Stored documents only: it does not
    validate what it skips.
    """

    id: str
    title: str
    category: str
    urgency: Urgency
    status: Status
    area: _AreaView
    location: _PointView | None = None
    source: str
    level: CaseLevel = CaseLevel.COMMUNITY
    lead: str | None = None
    stages: dict[str, _StageView] = msgspec.field(default_factory=dict)
    reported_at: Aware
    updated_at: Aware


_VIEW = msgspec.json.Decoder(IncidentView)


def summaries_of(docs: list[bytes]) -> list[dict[str, Any]]:
    """The summaries of stored incident documents (JSON), as ``summary`` makes them from the
    whole documents, read through ``IncidentView``."""
    decode = _VIEW.decode
    return [summary(decode(doc)) for doc in docs]


def sla_view(incident: Incident | IncidentView) -> tuple[SlaState, datetime | None, str | None]:
    """The worst stored SLA state among running stages, and the nearest running deadline."""
    state, deadline, stage_key = SlaState.NORMAL, None, None
    for key, stage in incident.stages.items():
        if stage.ended_at is not None:
            continue
        if SLA_RANK[stage.state] > SLA_RANK[state]:
            state = stage.state
        if stage.deadline is not None and (deadline is None or stage.deadline < deadline):
            deadline, stage_key = stage.deadline, key
    if incident.status is Status.PARKED and state is SlaState.NORMAL:
        state = SlaState.PAUSED
    return state, deadline, stage_key


def summary(incident: Incident | IncidentView) -> dict[str, Any]:
    """The compact, personal-data-free view used by the changes stream and the walls.

    No reporter; phone and ID-card numbers typed into the title are masked.
    """
    loc = incident.location
    sla, deadline, stage = sla_view(incident)
    return {
        "id": incident.id,
        "title": mask_text(incident.title),
        "category": incident.category,
        "urgency": incident.urgency.value,
        "status": incident.status.value,
        "grid": incident.area.grid,
        "community": incident.area.community,
        "street": incident.area.street,
        "lon": None if loc is None else round(loc.lon, 6),
        "lat": None if loc is None else round(loc.lat, 6),
        "source": incident.source,
        "level": incident.level.value,
        "lead": incident.lead,
        "sla": sla.value,
        "deadline": None if deadline is None else _iso(deadline),
        "sla_stage": stage,
        "reported_at": _iso(incident.reported_at),
        "updated_at": _iso(incident.updated_at),
    }


def _iso(value: datetime) -> str:
    """A summary's time to the second (memoised: a batch's changes share their ``updated_at``
    and an incident's summaries its ``reported_at`` and deadline)."""
    return _iso_at(value, value.utcoffset())


@lru_cache(maxsize=4096)
def _iso_at(value: datetime, offset: timedelta | None) -> str:
    # keyed with the offset too: equal instants in other zones compare (and hash) equal
    return value.isoformat(timespec="seconds")
