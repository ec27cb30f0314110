"""The KPIs against a golden dataset, recomputed here by a separate plain implementation."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dashboard import metrics
from gridwall.contract.events import Action, AreaPath, Report, Urgency
from gridwall.engine.cases.lifecycle import apply
from gridwall.engine.cases.rules import Rules, default_rules
from gridwall.engine.incident import Incident, Stage
from gridwall.refdata.model import Category
from gridwall.refdata.registry import Registry
from gridwall.sim.simlife import Departments, script

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 27, 16, 0, tzinfo=TZ)
START = datetime(2026, 10, 26, 0, 0, tzinfo=TZ)
PERIOD = metrics.Period(datetime(2026, 11, 2, tzinfo=TZ), datetime(2026, 11, 21, tzinfo=TZ))
STREETS = ("320115001000", "320115002000", "320115003000")
CATEGORIES = (("01", "exposed-rubbish"), ("03", "complex"), ("04", "normal"),
              ("11", "normal"), ("12", "urgent"))  # fmt: skip


def golden(seed: int = 4, count: int = 400) -> list[Incident]:
    """Cases reported over a month, each driven through a simulated lifecycle up to NOW."""
    rng = random.Random(seed)
    registry = Registry("320115", [], [Category(code=c, name=c, sla=s) for c, s in CATEGORIES])
    rules = Rules(default_rules().book, registry)
    depts = Departments(
        codes=("CG", "SW", "ZJ", "GA"),
        speed={"CG": 0.5, "SW": 1.0, "ZJ": 2.5, "GA": 1.2},
        leads={"01": "CG", "03": "ZJ", "04": "CG", "11": "GA", "12": "SW"},
    )
    found = []
    for n in range(count):
        reported = START + timedelta(days=rng.uniform(0, 31), hours=rng.uniform(-3, 3))
        if reported >= NOW:
            continue
        street = rng.choice(STREETS)
        category = rng.choice(CATEGORIES)[0]
        event = Report(
            event_id=f"r{n}", source="gold", source_event_id=f"r{n}", received_at=reported,
            incident_id=f"320115-20261101-{n:05d}", category=category,
            urgency=Urgency.URGENT if rng.random() < 0.1 else Urgency.NORMAL,
            area=AreaPath(county="320115", street=street, community=street[:9] + "001",
                          grid=street[:9] + f"001{rng.randint(1, 4):03d}"),
            reported_at=reported, title="x",
        )  # fmt: skip
        incident = apply(None, event, reported, rules).incident
        assert incident is not None
        at = reported
        for i, step in enumerate(script(rng, depts, category)):
            at += timedelta(seconds=step.after)
            if at > NOW:
                break
            action = Action(
                event_id=f"a{n}-{i}", source="gold", source_event_id=f"a{n}-{i}",
                received_at=at, incident_id=incident.id, action=step.action, actor="x", at=at,
                department=step.department, params=step.params,
            )  # fmt: skip
            out = apply(incident, action, at, rules)
            incident = out.incident or incident
        found.append(incident)
    return found


INCIDENTS = golden()


# -- the plain implementation -------------------------------------------------------------------
def inside(moment: datetime | None, period: metrics.Period = PERIOD) -> bool:
    return moment is not None and period.start <= moment < period.end


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def done_in_period(stage: Stage | None) -> float | None:
    if stage is None or stage.outcome != "done" or not inside(stage.ended_at):
        return None
    return stage.consumed_s


def state_now(stage: Stage) -> str:
    assert stage.deadline is not None
    if stage.deadline <= NOW:
        return "overdue"
    return "warning" if any(t < 100 and m <= NOW for t, m in stage.marks.items()) else "normal"


def now_flags(stages: list[Stage], is_open: bool) -> tuple[bool, bool]:
    states = {
        state_now(s)
        for s in stages
        if is_open and s.running_since is not None and s.ended_at is None
        and s.name.value not in ("feedback_first", "feedback_result")
    }  # fmt: skip
    return "overdue" in states, "overdue" not in states and "warning" in states


def closed(incident: Incident) -> bool:
    return incident.status.value in ("closed", "evaluated")


def on_time_stage(stage: Stage) -> bool:
    return bool(
        stage.outcome == "done"
        and stage.ended_at is not None
        and stage.deadline is not None
        and stage.ended_at <= stage.deadline
        and not stage.breached
    )


def counted_events(incident: Incident) -> list[tuple[str, str | None, str]]:
    found = []
    for h in incident.history:
        if not inside(h.at):
            continue
        if h.action == "send_back":
            found.append(("send_backs", h.detail.get("department"), h.detail.get("role", "lead")))
        elif h.action == "verify" and h.detail.get("result") == "fail":
            found.append(("reworks", h.detail.get("department"), "lead"))
        elif h.action == "approve_extension":
            role = "co" if h.detail["stage"].startswith("handle@") else "lead"
            found.append(("extensions", h.detail.get("department"), role))
    return found


def plain_case_rows(attr: str) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Incident]] = {}
    for incident in INCIDENTS:
        key = getattr(incident.area if attr not in ("category", "source") else incident, attr)
        groups.setdefault(key or "", []).append(incident)
    rows = {}
    for key, cases in groups.items():
        due = [c for c in cases if inside(c.due_at)]
        shut = [c for c in due if closed(c)]
        timely = [c for c in shut if c.on_time]
        handle = [c.stages["handle"] for c in shut if "handle" in c.stages]
        assert all(on_time_stage(h) == c.on_time for h, c in zip(handle, shut, strict=False))
        response = [v for c in cases if (v := done_in_period(c.stages.get("accept"))) is not None]
        dispatch = []
        for c in cases:
            runs = [s for s in [*c.past_stages, *c.stages.values()]
                    if s.name.value == "dispatch" and s.outcome == "done"]  # fmt: skip
            first = min(runs, key=lambda s: s.started_at) if runs else None
            if (v := done_in_period(first)) is not None:
                dispatch.append(v)
        handling = [v for c in cases if (v := done_in_period(c.stages.get("handle"))) is not None]
        flags = [now_flags(list(c.stages.values()), c.is_open) for c in cases]
        events = [e for c in cases for e in counted_events(c)]
        rows[key] = {
            "received": sum(inside(c.reported_at) for c in cases),
            "closures": sum(closed(c) and inside(c.closed_at) for c in cases),
            "due": len(due),
            "closed": len(shut),
            "closed_on_time": len(timely),
            "close_rate": len(shut) / len(due) if due else None,
            "on_time_rate": len(timely) / len(due) if due else None,
            "response_median_s": percentile(response, 0.5),
            "response_p90_s": percentile(response, 0.9),
            "dispatch_median_s": percentile(dispatch, 0.5),
            "dispatch_p90_s": percentile(dispatch, 0.9),
            "handling_median_s": percentile(handling, 0.5),
            "handling_p90_s": percentile(handling, 0.9),
            "open": sum(c.is_open for c in cases),
            "overdue": sum(f[0] for f in flags),
            "near_deadline": sum(f[1] for f in flags),
            "send_backs": sum(e[0] == "send_backs" for e in events),
            "reworks": sum(e[0] == "reworks" for e in events),
            "extensions": sum(e[0] == "extensions" for e in events),
        }
    return rows


def sign_time(incident: Incident, department: str | None) -> float | None:
    """The lead's sign-for time (签收), when done in the period."""
    sign = incident.stages.get("sign")
    if sign is None or sign.department != department:
        return None
    return done_in_period(sign)


def plain_department_rows() -> dict[tuple[str, str], dict[str, Any]]:
    rows: dict[tuple[str, str], dict[str, Any]] = {}

    def row(dept: str, role: str) -> dict[str, Any]:
        return rows.setdefault((dept, role), {"received": 0, "due": 0, "closed": 0,
                                              "closed_on_time": 0, "sign": [],
                                              "handling": [], "open": 0, "overdue": 0,
                                              "near_deadline": 0, "send_backs": 0,
                                              "reworks": 0, "extensions": 0})  # fmt: skip

    for incident in INCIDENTS:
        for stage in incident.stages.values():
            if stage.name.value != "handle" or stage.outcome == "cancelled":
                continue
            assert stage.department is not None
            role = "co" if stage.role == "co" else "lead"
            r = row(stage.department, role)
            finished = closed(incident) if role == "lead" else stage.outcome == "done"
            timely = bool(incident.on_time) if role == "lead" else on_time_stage(stage)
            r["received"] += inside(stage.started_at)
            r["sign"] += [sign_time(incident, stage.department)] if role == "lead" else []
            if inside(stage.deadline):
                r["due"] += 1
                r["closed"] += finished
                r["closed_on_time"] += finished and timely
            if (v := done_in_period(stage)) is not None:
                r["handling"].append(v)
            if incident.is_open and stage.ended_at is None:
                r["open"] += 1
                if stage.running_since is not None:
                    r["overdue"] += state_now(stage) == "overdue"
                    r["near_deadline"] += state_now(stage) == "warning"
        for kind, dept, role in counted_events(incident):
            if dept:
                row(dept, role)[kind] += 1
    for r in rows.values():
        signs = [v for v in r.pop("sign") if v is not None]
        r["sign_median_s"] = percentile(signs, 0.5)
        r["sign_p90_s"] = percentile(signs, 0.9)
        values = r.pop("handling")
        r["handling_median_s"] = percentile(values, 0.5)
        r["handling_p90_s"] = percentile(values, 0.9)
        r["close_rate"] = r["closed"] / r["due"] if r["due"] else None
        r["on_time_rate"] = r["closed_on_time"] / r["due"] if r["due"] else None
    return rows


def same(got: dict[str, Any], expected: dict[str, Any]) -> None:
    for name, value in expected.items():
        if value is None:
            assert got[name] is None, name
        else:
            assert got[name] == pytest.approx(value), name


# -- the tests ------------------------------------------------------------------------------
def test_the_golden_dataset_shows_every_state() -> None:
    statuses = {i.status.value for i in INCIDENTS}
    assert {"dispatched", "handling", "reported_back", "closed", "evaluated"} <= statuses
    assert any(i.counters.send_backs for i in INCIDENTS)
    assert any(i.counters.reworks for i in INCIDENTS)
    assert any(i.counters.extensions for i in INCIDENTS)
    assert any(i.counters.parks for i in INCIDENTS)
    assert any(i.on_time is False for i in INCIDENTS)
    assert any(i.on_time for i in INCIDENTS)


@pytest.mark.parametrize(
    ("dimension", "attr"),
    [("streets", "street"), ("grids", "grid"), ("categories", "category"), ("sources", "source")],
)
def test_case_kpis_match_the_plain_implementation(dimension: str, attr: str) -> None:
    rows = metrics.case_kpis(INCIDENTS, dimension, PERIOD, NOW, min_sample=10)
    expected = plain_case_rows(attr)
    assert {r["key"] or "" for r in rows} == set(expected)
    for row in rows:
        same(row, expected[row["key"] or ""])
    assert sum(r["due"] for r in rows) > 50


def test_department_kpis_match_the_plain_implementation() -> None:
    rows = metrics.department_kpis(INCIDENTS, PERIOD, NOW, min_sample=10)
    expected = plain_department_rows()
    assert {(r["key"], r["role"]) for r in rows} == set(expected)
    for row in rows:
        same(row, expected[(row["key"], row["role"])])
    roles = {r["role"] for r in rows}
    assert roles == {"lead", "co"}
    assert any(r["sign_median_s"] for r in rows if r["role"] == "lead")
    assert all(r["sign_median_s"] is None for r in rows if r["role"] == "co")


def test_rankings_need_the_minimum_sample() -> None:
    rows = metrics.department_kpis(INCIDENTS, PERIOD, NOW, min_sample=10)
    for row in rows:
        assert row["ranked"] == (row["due"] >= 10)
        assert (row["rank"] is None) == (not row["ranked"])
    leads = sorted((r for r in rows if r["role"] == "lead" and r["ranked"]),
                   key=lambda r: r["rank"])  # fmt: skip
    assert [r["rank"] for r in leads] == list(range(1, len(leads) + 1))
    rates = [r["on_time_rate"] for r in leads]
    assert rates == sorted(rates, reverse=True)
    # A department that closed 1 of 1 must not top the board.
    tiny = [{"key": "A", "due": 1, "on_time_rate": 1.0, "close_rate": 1.0},
            {"key": "B", "due": 12, "on_time_rate": 0.5, "close_rate": 0.9}]  # fmt: skip
    metrics.rank(tiny, 10)
    assert (tiny[0]["rank"], tiny[1]["rank"]) == (None, 1)


def test_periods_split_the_case_figures() -> None:
    whole = metrics.case_kpis(INCIDENTS, "categories", PERIOD, NOW, min_sample=10)
    days = metrics.period_kpis(INCIDENTS, PERIOD, "day", TZ, now=NOW, min_sample=10)
    assert len(days) == 19
    assert days[0]["key"] == "2026-11-02"
    for name in ("received", "due", "closed", "closed_on_time", "send_backs", "reworks"):
        assert sum(d[name] for d in days) == sum(w[name] for w in whole)
    weeks = metrics.period_kpis(INCIDENTS, PERIOD, "week", TZ, now=NOW, min_sample=10)
    assert [w["key"] for w in weeks] == ["2026-W45", "2026-W46", "2026-W47"]
    months = metrics.period_kpis(INCIDENTS, PERIOD, "month", TZ, now=NOW, min_sample=10)
    assert [m["key"] for m in months] == ["2026-11"]
    assert months[0]["due"] == sum(w["due"] for w in whole)


def test_stage_kpis_include_the_feedback_to_the_grid() -> None:
    rows = {r["key"]: r for r in metrics.stage_kpis(INCIDENTS, PERIOD, NOW)}
    assert set(rows) == {"accept", "dispatch", "sign", "handle", "verify", "feedback_first",
                         "feedback_result"}  # fmt: skip
    runs = [s for i in INCIDENTS for s in [*i.past_stages, *i.stages.values()]]
    first = [
        s
        for s in runs
        if s.name.value == "feedback_first" and s.outcome == "done" and inside(s.ended_at)
    ]
    assert rows["feedback_first"]["done"] == len(first)
    assert rows["feedback_first"]["done_on_time"] == sum(on_time_stage(s) for s in first)


def test_periods_and_bounds_parse() -> None:
    period = metrics.parse_period("2026-11-01", "2026-11-07", TZ, NOW)
    assert period.start == datetime(2026, 11, 1, tzinfo=TZ)
    assert period.end == datetime(2026, 11, 8, tzinfo=TZ)  # the end day is included
    last = metrics.parse_period(None, None, TZ, NOW)
    assert last.end == NOW
    assert last.start == NOW - timedelta(days=30)
    with pytest.raises(ValueError, match="ends before it starts"):
        metrics.parse_period("2026-11-07", "2026-11-01", TZ, NOW)
    assert metrics.clean([{"a": float("nan"), "b": 1.5}]) == [{"a": None, "b": 1.5}]


def test_totals_are_the_sum_of_the_groups() -> None:
    whole = metrics.totals(
        metrics.case_frame(INCIDENTS, NOW), metrics.event_frame(INCIDENTS), PERIOD
    )
    streets = metrics.case_kpis(INCIDENTS, "streets", PERIOD, NOW, min_sample=10)
    for name in ("received", "closures", "due", "closed", "closed_on_time", "open", "overdue",
                 "near_deadline", "send_backs", "reworks", "extensions"):  # fmt: skip
        assert whole[name] == sum(r[name] for r in streets), name
    assert whole["close_rate"] == pytest.approx(whole["closed"] / whole["due"])
    handling = [v for c in INCIDENTS if (v := done_in_period(c.stages.get("handle"))) is not None]
    assert whole["handling_median_s"] == pytest.approx(percentile(handling, 0.5))
