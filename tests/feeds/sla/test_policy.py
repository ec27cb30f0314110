"""The policy file: the shipped defaults, and clear errors naming the key."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from gridwall.contract.events import Urgency
from gridwall.engine.incident import CaseLevel, StageName, TimeBasis
from gridwall.engine.sla.policy import (
    DEFAULT_POLICY_FILE,
    PolicyError,
    load_policies,
    parse_duration,
    parse_policies,
)

TZ = ZoneInfo("Asia/Shanghai")
BASE: dict[str, Any] = yaml.safe_load(DEFAULT_POLICY_FILE.read_text(encoding="utf-8"))
H = timedelta(hours=1)


def test_the_shipped_defaults_follow_the_domain_table() -> None:
    book = load_policies(None, TZ)
    expect = {
        "urgent": (TimeBasis.CALENDAR, ["10m", "10m", "2h", "1h"]),
        "normal": (TimeBasis.WORKING, ["30m", "2h", "5d", "1d"]),
        "complex": (TimeBasis.WORKING, ["1h", "4h", "15d", "2d"]),
    }
    for key, (basis, limits) in expect.items():
        policy = book.get(key)
        stages = [StageName.ACCEPT, StageName.DISPATCH, StageName.HANDLE, StageName.VERIFY]
        day = book.calendar.day(basis)
        assert [policy.stages[s].limit for s in stages] == [parse_duration(v, day) for v in limits]
        assert all(policy.stages[s].basis is basis for s in stages)
        # Feedback to the reporting grid: 1 working day, first answer and result alike.
        for stage in (StageName.FEEDBACK_FIRST, StageName.FEEDBACK_RESULT):
            assert policy.stages[stage].limit == 7 * H
            assert policy.stages[stage].basis is TimeBasis.WORKING
        assert policy.thresholds == (50, 75, 90)
    assert book.get("exposed-rubbish").stages[StageName.HANDLE].limit == 7 * H
    assert book.get("dirty-road").stages[StageName.HANDLE].limit == 5 * H
    assert book.get("street-lamps").stages[StageName.HANDLE].limit == 7 * H
    manhole = book.get("manhole-cover")
    assert manhole.urgent
    assert manhole.stages[StageName.HANDLE].basis is TimeBasis.CALENDAR
    assert manhole.stages[StageName.HANDLE].limit == 2 * H
    assert book.initial_level is CaseLevel.COMMUNITY


def test_urgent_reports_switch_to_the_urgent_policy_unless_already_urgent() -> None:
    book = load_policies(None, TZ)
    assert book.policy_key("01", "normal", Urgency.URGENT) == "urgent"
    assert book.policy_key("01", "manhole-cover", Urgency.URGENT) == "manhole-cover"
    assert book.policy_key("01", "complex", Urgency.NORMAL) == "complex"
    assert book.policy_key("01", "no-such-policy", Urgency.NORMAL) == "normal"
    assert book.policy_key("01", None, Urgency.NORMAL) == "normal"


def test_escalation_rules_match_per_stage() -> None:
    book = load_policies(None, TZ)
    handle = book.escalation("normal", StageName.HANDLE)
    assert handle is not None
    assert handle.rule.action == "escalate"
    assert handle.repeat_every == 5 * 7 * H
    urgent_handle = book.escalation("urgent", StageName.HANDLE)
    assert urgent_handle is not None
    assert urgent_handle.repeat_every == timedelta(days=5)


def test_durations() -> None:
    day = 7 * H
    assert parse_duration("1d4h", day) == 11 * H
    assert parse_duration("90s", day) == timedelta(seconds=90)
    assert parse_duration("0.5d", day) == 3.5 * H
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("5 days", day)


def broken(change: Any) -> str:
    data = copy.deepcopy(BASE)
    change(data)
    with pytest.raises(PolicyError) as info:
        parse_policies(data, TZ)
    return str(info.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(thresholds_typo=[1]), "thresholds_typo: unknown key"),
        (lambda d: d["policies"]["normal"]["stages"].update(handle="5 days"), "not a duration"),
        (lambda d: d["policies"]["normal"]["stages"].update(repair="1d"), "policies.normal.stages"),
        (lambda d: d["policies"]["normal"]["stages"].pop("verify"),
         "policies.normal: no limit for verify"),
        (lambda d: d["policies"]["normal"].update(extends="dirty-road"), "extends itself"),
        (lambda d: d["policies"]["dirty-road"].update(extends="nothing"), "no policy 'nothing'"),
        (lambda d: d.update(urgent_policy="nothing"), "urgent_policy 'nothing' is not a policy"),
        (lambda d: d.update(categories={"01": "nothing"}), "categories.01: no policy 'nothing'"),
        (lambda d: d["calendar"].update(working_hours=["8:30-25:00"]), "not a period"),
        (lambda d: d["calendar"].update(working_hours=["14:00-12:00"]), "ends before it starts"),
        (lambda d: d["calendar"].update(holidays=["2027-01-01"], workdays=["2027-01-01"]),
         "both as a holiday and as a working day"),
        (lambda d: d["escalation"][0].update(to="province"), "escalation.0.to"),
    ],
)  # fmt: skip
def test_a_bad_file_is_refused_with_the_key(change: Any, message: str) -> None:
    assert message in broken(change)


def test_missing_and_unparsable_files(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="not found"):
        load_policies(tmp_path / "none.yaml", TZ)
    bad = tmp_path / "bad.yaml"
    bad.write_text("policies: [unclosed", encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid YAML"):
        load_policies(bad, TZ)


def test_next_years_holidays_come_from_the_file(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data["calendar"].update(holidays=["2027-01-01"], workdays=[], listed_years=[2027])
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    book = load_policies(path, TZ)
    assert book.calendar.missing_years([2026, 2027]) == []
    described = book.describe(datetime(2026, 11, 27, tzinfo=TZ))
    assert described["calendar"]["years_without_data"] == []
    assert described["policies"]["normal"]["stages"]["handle"] == {
        "limit_s": 5 * 7 * 3600,
        "basis": "working",
    }


def test_the_demo_catalogue_and_the_default_policies_agree() -> None:
    """Every SLA key of the demo county's categories names a shipped policy (no silent fallback)."""
    from zoneinfo import ZoneInfo  # noqa: PLC0415

    from gridwall.engine.sla.policy import load_policies  # noqa: PLC0415
    from gridwall.sim.county import generate_county  # noqa: PLC0415

    book = load_policies(None, ZoneInfo("Asia/Shanghai"))
    catalogue = generate_county("320115", "演示区", seed=1).categories.values()
    assert {c.sla for c in catalogue} <= set(book.policies)
