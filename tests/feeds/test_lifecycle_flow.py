"""The whole closed loop as a pure function: every action in every state, and the flows."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from gridwall.contract.events import Action, AreaPath, Point, Report, Reporter, Urgency
from gridwall.engine.cases.lifecycle import TRANSITIONS, apply, check
from gridwall.engine.cases.rules import Rules, default_rules
from gridwall.engine.incident import (
    CaseLevel,
    Incident,
    SlaState,
    Status,
    summaries_of,
    summary,
)
from gridwall.engine.sla.policy import DEFAULT_POLICY_FILE, parse_policies
from gridwall.refdata.model import Category, Department
from gridwall.refdata.registry import Registry

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)  # a Monday
RULES = default_rules()


class Case:
    """Builds an incident step by step; every step must succeed."""

    def __init__(self, rules: Rules = RULES, **report_fields: Any) -> None:
        self.rules = rules
        self.n = 0
        data: dict[str, Any] = {
            "event_id": "r1", "source": "gridapp", "source_event_id": "e1", "received_at": T0,
            "incident_id": "320115-20261123-00001", "category": "01",
            "urgency": Urgency.NORMAL, "area": AreaPath(county="320115", grid="320115001001001"),
            "reported_at": T0, "title": "暴露垃圾",
        }  # fmt: skip
        data.update(report_fields)
        out = apply(None, Report.model_validate(data), T0, rules)
        assert out.incident is not None
        self.incident: Incident = out.incident

    def event(
        self, action: str, minutes: float = 10, dept: str | None = None, **params: Any
    ) -> Action:
        self.n += 1
        at = max(h.at for h in self.incident.history) + timedelta(minutes=minutes)
        return Action(
            event_id=f"a{self.n}", source="api", source_event_id=f"a{self.n}", received_at=at,
            incident_id=self.incident.id, action=action, actor=f"actor-{self.n}", at=at,
            department=dept, note=f"note {self.n}", params=params,
        )  # fmt: skip

    def do(self, action: str, minutes: float = 10, dept: str | None = None, **params: Any) -> Case:
        out = apply(self.incident, self.event(action, minutes, dept, **params), T0, self.rules)
        assert out.rejected is None, out.rejected
        assert out.incident is not None
        self.incident = out.incident
        return self

    def refused(self, action: str, dept: str | None = None, **params: Any) -> str:
        reason = check(self.incident, self.event(action, 10, dept, **params), T0, self.rules)
        assert reason is not None, f"{action} was accepted"
        return reason


def reach(status: Status) -> Case:
    case = Case()
    path = {
        Status.REPORTED: [],
        Status.ACCEPTED: [("accept", {})],
        Status.DISPATCHED: [("accept", {}), ("dispatch", {"dept": "CG", "co": ["SW"]})],
        Status.HANDLING: [("accept", {}), ("dispatch", {"dept": "CG"}), ("sign", {})],
        Status.REPORTED_BACK: [("accept", {}), ("dispatch", {"dept": "CG", "co": ["SW"]}),
                               ("sign", {}), ("report_back", {})],
        Status.PARKED: [("accept", {}), ("park", {})],
        Status.CLOSED: [("accept", {}), ("close", {})],
        Status.EVALUATED: [("accept", {}), ("close", {}), ("evaluate", {})],
    }[status]  # fmt: skip
    for action, params in path:
        case.do(action, **params)
    assert case.incident.status is status
    return case


#: Parameters that make each action succeed where its table allows it.
GOOD: dict[str, dict[str, Any]] = {
    "dispatch": {"dept": "CG"},
    "redispatch": {"dept": "ZJ"},
    "verify": {"result": "pass"},
    "request_extension": {"by": "2d"},
    "evaluate": {"rating": 4},
}


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_every_action_in_every_state(action: str, status: Status) -> None:
    case = reach(status)
    legal, _target = TRANSITIONS[action]
    params = dict(GOOD.get(action, {}))
    if action in ("approve_extension", "reject_extension") and status in legal:
        case.do("request_extension", by="1d")
    if status not in legal:
        assert (
            case.refused(action, **params) == f"cannot {action} an incident that is {status.value}"
        )
        return
    if action == "feedback" and status in (Status.CLOSED, Status.EVALUATED):
        case.do("feedback")  # the first answer, then the result
    if action == "report_back" and status is not Status.HANDLING:
        params["dept"] = "SW"  # only a co-handler reports back before signing or after the lead
    case.do(action, **params)
    assert case.incident.history[-1].action == action
    assert case.incident.history[-1].from_status is status


def test_history_records_who_when_from_to_and_note() -> None:
    case = reach(Status.HANDLING)
    entry = case.incident.history[-1]
    assert (entry.action, entry.from_status, entry.to_status) == ("sign", Status.DISPATCHED,
                                                                 Status.HANDLING)  # fmt: skip
    assert entry.actor == "actor-3"
    assert entry.note == "note 3"
    assert entry.at == T0 + timedelta(minutes=30)
    assert case.incident.version == 4


def test_a_case_runs_the_whole_loop_on_its_clocks() -> None:
    case = Case().do("accept", 12).do("feedback", 60).do("dispatch", 20, dept="CG", co=["SW"])
    inc = case.incident
    assert inc.lead == "CG"
    assert inc.co == ["SW"]
    assert inc.departments == ["CG", "SW"]
    assert set(inc.stages) == {"accept", "feedback_first", "dispatch", "sign", "handle",
                               "handle@SW"}  # fmt: skip
    assert inc.stages["accept"].on_time
    assert inc.stages["accept"].consumed_s == 12 * 60
    assert inc.due_at == inc.stages["handle"].deadline == datetime(2026, 11, 30, 10, 32, tzinfo=TZ)
    case.do("sign", 30).do("report_back", 60, dept="SW").do("report_back", 120)
    assert case.incident.status is Status.REPORTED_BACK
    assert case.incident.stages["handle@SW"].outcome == "done"
    case.do("verify", 60, result="pass")
    inc = case.incident
    assert inc.status is Status.CLOSED
    assert inc.on_time is True
    assert inc.closed_at == T0 + timedelta(minutes=12 + 60 + 20 + 30 + 60 + 120 + 60)
    assert inc.stages["feedback_result"].running
    case.do("feedback", 30).do("evaluate", 60, rating=5)
    assert case.incident.status is Status.EVALUATED
    assert case.incident.rating == 5
    assert not case.incident.is_open


def test_a_wrong_dispatch_is_sent_back_and_dispatched_again() -> None:
    case = reach(Status.DISPATCHED)
    case.do("send_back", dept="SW")  # the co-handler leaves; the case stays dispatched
    assert case.incident.status is Status.DISPATCHED
    assert case.incident.co == []
    assert "handle@SW" not in case.incident.stages
    case.do("send_back", 60, dept="CG")
    inc = case.incident
    assert inc.status is Status.ACCEPTED
    assert inc.lead is None
    assert inc.due_at is None
    assert inc.stages["dispatch"].running  # the centre's dispatch clock runs again
    cancelled = [s.outcome for s in inc.past_stages if s.name.value == "handle"]
    assert cancelled == ["cancelled", "cancelled"]
    assert inc.counters.send_backs == 2
    case.do("dispatch", dept="ZJ")
    assert case.incident.lead == "ZJ"
    assert case.incident.status is Status.DISPATCHED
    assert case.refused("send_back", dept="CG") == "department CG is not handling this case"


def test_only_the_lead_signs_and_co_handlers_report_back_for_themselves() -> None:
    case = reach(Status.DISPATCHED)
    assert case.refused("sign", dept="SW") == "only the lead department CG signs for this case"
    assert case.refused("report_back") == "the lead department CG must sign for the case first"
    case.do("report_back", dept="SW")
    assert case.refused("report_back", dept="SW") == "department SW has already reported back"


def test_a_failed_verification_sends_the_case_back_to_handling_on_the_same_clock() -> None:
    case = reach(Status.REPORTED_BACK)
    before = case.incident.stages["handle"]
    case.do("verify", 120, result="fail")
    inc = case.incident
    assert inc.status is Status.HANDLING
    assert inc.counters.reworks == 1
    handle = inc.stages["handle"]
    assert handle.running
    assert handle.consumed_s == before.consumed_s
    assert handle.deadline is not None
    assert before.deadline is not None
    assert handle.deadline > before.deadline  # the verification time is not the department's
    assert case.refused("verify", result="maybe") == "cannot verify an incident that is handling"
    case.do("report_back")
    assert case.refused("verify", result="maybe") == "verify needs result: pass or fail"


def test_an_extension_needs_a_request_and_an_approval() -> None:
    case = reach(Status.HANDLING)
    assert case.refused("approve_extension") == "no extension request is pending"
    assert (
        case.refused("request_extension") == "request_extension needs by (a duration like 2d or 4h)"
    )
    assert "not a duration" in case.refused("request_extension", by="soon")
    deadline = case.incident.stages["handle"].deadline
    case.do("request_extension", by="2d")
    assert case.refused("request_extension", by="1d") == "an extension request is already pending"
    assert case.incident.stages["handle"].deadline == deadline  # not before the approval
    case.do("approve_extension")
    handle = case.incident.stages["handle"]
    assert handle.deadline == datetime(2026, 12, 2, 9, 20, tzinfo=TZ)  # 09:20 + 7 working days
    assert handle.extensions == 1
    assert case.incident.counters.extensions == 1
    assert case.incident.due_at == handle.deadline


def test_parking_pauses_every_working_clock_but_the_answer_to_the_grid() -> None:
    case = reach(Status.HANDLING)
    case.do("park", 60)
    inc = case.incident
    assert inc.status is Status.PARKED
    assert inc.parked_from is Status.HANDLING
    assert inc.stages["handle"].state is SlaState.PAUSED
    assert inc.due_at is None
    assert inc.stages["feedback_first"].running
    case.do("resume", 7 * 24 * 60)
    assert case.incident.status is Status.HANDLING
    assert case.incident.stages["handle"].running


def test_reopen_goes_back_to_dispatch() -> None:
    case = reach(Status.CLOSED)
    case.do("reopen")
    inc = case.incident
    assert inc.status is Status.ACCEPTED
    assert inc.closed_at is None
    assert inc.counters.reopens == 1
    assert inc.stages["dispatch"].running


def test_escalation_goes_one_level_up_to_the_city_and_no_further() -> None:
    case = reach(Status.ACCEPTED)
    for level in (CaseLevel.STREET, CaseLevel.COUNTY, CaseLevel.CITY):
        case.do("escalate")
        assert case.incident.level is level
    assert case.refused("escalate") == "cannot escalate a case that is at city level to next"
    case.do("urge").do("supervise")
    assert case.incident.counters.urges == 1
    assert case.incident.counters.supervisions == 1


def test_feedback_needs_an_answer_due() -> None:
    case = reach(Status.ACCEPTED).do("feedback")
    assert case.refused("feedback") == "no answer to the reporting grid is due"


def test_departments_are_checked_against_the_registry_and_categories_name_the_lead() -> None:
    registry = Registry(
        "320115",
        [],
        [Category(code="01", name="市容环境", department="CG", sla="exposed-rubbish")],
        departments=[
            Department(code="CG", name="城市管理局"),
            Department(code="SW", name="水务局"),
        ],
    )
    rules = Rules(RULES.book, registry)
    case = Case(rules).do("accept")
    assert case.incident.policy == "exposed-rubbish"
    assert case.refused("dispatch", dept="XX") == "unknown department 'XX'"
    assert case.refused("dispatch", dept="CG", co=["YY"]) == "unknown department 'YY'"
    case.do("dispatch")  # the category's default lead
    assert case.incident.lead == "CG"
    handle = case.incident.stages["handle"]
    assert handle.limit_s == 7 * 3600  # exposed rubbish: 1 working day


def test_urgent_reports_count_calendar_time() -> None:
    case = Case(urgency=Urgency.URGENT).do("accept", 5).do("dispatch", 5, dept="CG")
    assert case.incident.policy == "urgent"
    handle = case.incident.stages["handle"]
    assert handle.basis.value == "calendar"
    assert handle.deadline == T0 + timedelta(minutes=10, hours=2)
    assert case.incident.stages["feedback_first"].basis.value == "working"


def test_a_local_file_maps_categories_to_policies() -> None:
    import yaml  # noqa: PLC0415

    data = yaml.safe_load(DEFAULT_POLICY_FILE.read_text(encoding="utf-8"))
    data["categories"] = {"12": "manhole-cover"}
    rules = Rules(parse_policies(data, TZ))
    case = Case(rules, category="12").do("accept").do("dispatch", dept="CG")
    assert case.incident.policy == "manhole-cover"
    assert case.incident.stages["handle"].deadline == T0 + timedelta(minutes=20, hours=2)


def test_unknown_actions_and_incidents_are_rejected() -> None:
    case = reach(Status.REPORTED)
    assert case.refused("teleport") == "unknown action 'teleport'"
    event = case.event("accept")
    out = apply(None, event, T0)
    assert out.rejected == f"unknown incident {case.incident.id}"


def test_the_summary_read_from_a_stored_document_is_the_whole_cases_summary() -> None:
    """The walls decode only what a summary reads (``IncidentView``); at every step of a busy
    case, and with its stages warned and overdue, that gives the summary of the whole case."""
    case = Case(
        urgency=Urgency.URGENT,
        location=Point(lon=118.7969123, lat=32.0603456),
        reporter=Reporter(name="张三", phone="13812345678"),
        title="占道经营 13812345678",
        description="楼下 110101199003071234",
    )
    steps: list[tuple[str, dict[str, Any]]] = [
        ("accept", {}), ("feedback", {}), ("dispatch", {"dept": "CG", "co": ["SW"]}),
        ("sign", {}), ("park", {}), ("resume", {}), ("escalate", {}),
        ("request_extension", {"by": "2d"}), ("approve_extension", {}),
        ("report_back", {"dept": "SW"}), ("report_back", {}), ("verify", {"result": "fail"}),
        ("report_back", {}), ("verify", {"result": "pass"}), ("reopen", {}),
        ("dispatch", {"dept": "ZJ"}), ("close", {}), ("evaluate", {"rating": 3}),
    ]  # fmt: skip
    seen = [case.incident]
    for action, params in steps:
        if action == "close":  # close needs a report back first
            case.do("sign").do("report_back")
        seen.append(case.do(action, **params).incident)
    stages = seen[4].stages  # dispatched, with co-handling: several running stages
    seen.append(
        seen[4].model_copy(
            update={
                "stages": {
                    **stages,
                    "handle": stages["handle"].model_copy(update={"state": SlaState.OVERDUE}),
                    "sign": stages["sign"].model_copy(update={"state": SlaState.WARNING}),
                }
            }
        )
    )
    docs = [incident.to_json() for incident in seen]
    assert summaries_of(docs) == [summary(incident) for incident in seen]
    shown = summaries_of(docs)
    assert {s["status"] for s in shown} >= {"reported", "handling", "parked", "closed"}
    assert shown[-1]["sla"] == "overdue"
    assert all("13812345678" not in s["title"] for s in shown)
