"""The SLA clock on a real Redis, with the real processor: exactly once, escalation, moves."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import redis

from feeds.intake import Intake
from gridwall.contract.events import EventIn
from gridwall.engine.incident import CaseLevel, SlaState
from gridwall.engine.sla.clock import SlaClock
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings, SlaSettings
from gridwall.refdata.registry import Registry
from tests.helpers import act, drain, load, report, sla_signals

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 27, 16, 0, tzinfo=TZ)


def t(text: str) -> datetime:
    return datetime.fromisoformat(text + "+08:00")


@pytest.fixture
def clock(r: redis.Redis, keys: Keys) -> SlaClock:
    return SlaClock(r, keys, SlaSettings(), TZ, name="test-clock")


def post(r: redis.Redis, keys: Keys, registry: Registry, n: int, **kw: object) -> str:
    intake = Intake(r, keys, TZ, 1000)
    event = EventIn.model_validate(report(n, **kw))
    return intake.enqueue([intake.normalize(event, registry, NOW)])[0].incident_id


def settle(r: redis.Redis, settings: Settings, clock: SlaClock, now: datetime) -> int:
    """Process, tick, process ... until the clock has nothing more to fire at ``now``."""
    fired = 0
    drain(r, settings)
    while True:
        sent = clock.tick(now)
        fired += sent
        drain(r, settings)
        if sent == 0:
            return fired


def keyed(signals: list[dict[str, object]]) -> Counter[tuple[object, ...]]:
    return Counter(
        (s["incident_id"], s["stage"], s["deadline"], s["signal"], s["threshold"], s["repeat"])
        for s in signals
    )


def test_every_threshold_fires_once_and_breaches_urge(
    r: redis.Redis, keys: Keys, seeded: Registry, settings: Settings, clock: SlaClock
) -> None:
    incident_id = post(r, keys, seeded, 1, category="01", reported_at="2026-11-23T09:00:00+08:00")
    drain(r, settings)
    assert r.zcard(keys.sla_due) == 2  # accept and the first answer to the reporting grid
    settle(r, settings, clock, NOW)
    signals = sla_signals(r, keys)
    assert set(keyed(signals).values()) == {1}
    by_stage = Counter((s["stage"], s["signal"], s["repeat"]) for s in signals)
    # accept (30 working min): 3 warnings, the breach, then urged 3 times a working day apart;
    # feedback_first (1 working day): 3 warnings, the breach, urged once.
    assert by_stage == {
        ("accept", "warning", 0): 3, ("accept", "breach", 0): 1,
        ("accept", "breach", 1): 1, ("accept", "breach", 2): 1, ("accept", "breach", 3): 1,
        ("feedback_first", "warning", 0): 3, ("feedback_first", "breach", 0): 1,
        ("feedback_first", "breach", 1): 1,
    }  # fmt: skip
    incident = load(r, keys, incident_id)
    assert incident.stages["accept"].fired == [50, 75, 90, 100]
    assert incident.stages["accept"].state is SlaState.OVERDUE
    assert incident.counters.breaches == 2
    assert incident.counters.urges == 4
    assert incident.stages["accept"].deadline == t("2026-11-23T09:30:00")
    assert [h.action for h in incident.history].count("sla.breach") == 2
    assert r.zcard(keys.sla_due) == 0  # nothing left to fire
    assert int(r.hget(keys.sla_counts, "overdue") or 0) == 1
    assert clock.tick(NOW) == 0
    assert SlaClock(r, keys, SlaSettings(), TZ, name="another").tick(NOW) == 0
    assert r.xlen(keys.deadletter) == 0


def test_a_handling_breach_escalates_up_to_the_city_every_five_days(
    r: redis.Redis, keys: Keys, seeded: Registry, settings: Settings, clock: SlaClock
) -> None:
    incident_id = post(r, keys, seeded, 1, category="01", reported_at="2026-11-02T08:40:00+08:00")
    drain(r, settings)
    act(r, keys, incident_id, "accept", "2026-11-02T08:50:00+08:00", 1)
    act(r, keys, incident_id, "feedback", "2026-11-02T09:00:00+08:00", 2)
    act(r, keys, incident_id, "dispatch", "2026-11-02T09:00:00+08:00", 3, department="cg")
    act(r, keys, incident_id, "sign", "2026-11-02T10:00:00+08:00", 4, department="cg")
    settle(r, settings, clock, NOW)
    incident = load(r, keys, incident_id)
    handle = incident.stages["handle"]
    assert handle.deadline == t("2026-11-09T09:00:00")  # 5 working days
    assert incident.due_at == handle.deadline
    # Breach Nov 9 → street; +5 working days Nov 16 → county; Nov 23 → city; then stop.
    assert incident.level is CaseLevel.CITY
    assert incident.counters.escalations == 3
    steps = [h for h in incident.history if h.action == "sla.escalate"]
    assert [(h.at, h.detail["to"]) for h in steps] == [
        (t("2026-11-09T09:00:00"), "street"),
        (t("2026-11-16T09:00:00"), "county"),
        (t("2026-11-23T09:00:00"), "city"),
    ]
    assert handle.next_escalation is None
    summary_sla = incident.stages["handle"].state_at(NOW)
    assert summary_sla is SlaState.OVERDUE


def test_an_extension_moves_the_deadline_and_warns_again(
    r: redis.Redis, keys: Keys, seeded: Registry, settings: Settings, clock: SlaClock
) -> None:
    incident_id = post(r, keys, seeded, 1, category="01", reported_at="2026-11-16T08:30:00+08:00")
    drain(r, settings)
    act(r, keys, incident_id, "accept", "2026-11-16T08:40:00+08:00", 1)
    act(r, keys, incident_id, "dispatch", "2026-11-16T08:50:00+08:00", 2, department="cg")
    act(r, keys, incident_id, "sign", "2026-11-16T09:00:00+08:00", 3, department="cg")
    # 5 working days from Mon 08:50 → Mon 23 08:50; 50 % falls on Wed 18 12:20.
    settle(r, settings, clock, t("2026-11-18T15:00:00"))
    first = load(r, keys, incident_id).stages["handle"]
    assert first.fired == [50]
    assert first.state is SlaState.WARNING
    act(r, keys, incident_id, "request_extension", "2026-11-18T15:00:00+08:00", 4, by="5d")
    act(r, keys, incident_id, "approve_extension", "2026-11-18T16:00:00+08:00", 5)
    drain(r, settings)
    extended = load(r, keys, incident_id).stages["handle"]
    assert extended.deadline == t("2026-11-30T08:50:00")  # 10 working days now
    assert extended.fired == []  # 50 % of 10 days is on Mon 23: not crossed any more
    assert extended.state is SlaState.NORMAL
    assert extended.extensions == 1
    settle(r, settings, clock, t("2026-11-24T09:00:00"))
    again = load(r, keys, incident_id)
    assert again.stages["handle"].fired == [50]
    assert again.counters.extensions == 1
    handle_signals = [s for s in sla_signals(r, keys) if s["stage"] == "handle"]
    assert [(s["threshold"], s["deadline"][:10]) for s in handle_signals] == [
        (50, "2026-11-23"),
        (50, "2026-11-30"),
    ]


def test_parking_pauses_the_clock_and_resume_recomputes(
    r: redis.Redis, keys: Keys, seeded: Registry, settings: Settings, clock: SlaClock
) -> None:
    incident_id = post(r, keys, seeded, 1, category="01", reported_at="2026-11-02T08:30:00+08:00")
    drain(r, settings)
    act(r, keys, incident_id, "accept", "2026-11-02T08:35:00+08:00", 1)
    act(r, keys, incident_id, "dispatch", "2026-11-02T08:40:00+08:00", 2, department="cg")
    act(r, keys, incident_id, "sign", "2026-11-02T09:00:00+08:00", 3, department="cg")
    act(r, keys, incident_id, "park", "2026-11-03T08:40:00+08:00", 4)  # 1 working day used
    drain(r, settings)
    parked = load(r, keys, incident_id)
    assert parked.stages["handle"].state is SlaState.PAUSED
    assert parked.stages["handle"].consumed_s == 7 * 3600
    assert parked.due_at is None
    assert r.zscore(keys.sla_due, f"{incident_id}|handle") is None
    assert int(r.hget(keys.sla_counts, "paused") or 0) == 1
    settle(r, settings, clock, NOW)  # weeks later: nothing fires for a parked stage
    assert not [s for s in sla_signals(r, keys) if s["stage"] == "handle"]
    act(r, keys, incident_id, "resume", "2026-11-25T14:00:00+08:00", 5)
    drain(r, settings)
    resumed = load(r, keys, incident_id)
    # 28 working hours left from Wed 25 14:00: Wed 3.5, Thu 7, Fri 7, Mon 7 (24.5 h),
    # Tue 08:30–12:00 (28 h) → Tue Dec 1 12:00.
    assert resumed.stages["handle"].deadline == t("2026-12-01T12:00:00")
    assert resumed.due_at == resumed.stages["handle"].deadline
    assert resumed.status.value == "handling"


def test_signals_for_a_stage_that_moved_on_are_ignored(
    r: redis.Redis, keys: Keys, seeded: Registry, settings: Settings, clock: SlaClock
) -> None:
    incident_id = post(r, keys, seeded, 1, category="01", reported_at="2026-11-27T09:00:00+08:00")
    drain(r, settings)
    act(r, keys, incident_id, "accept", "2026-11-27T09:20:00+08:00", 1)
    # The clock fires while the accept waits in the inbox: accept's 3 warnings and breach,
    # feedback_first's 50 % (5 of its 7 working hours are gone at 16:00).
    assert clock.tick(NOW) == 4 + 1
    drain(r, settings)
    incident = load(r, keys, incident_id)
    accept = incident.stages["accept"]
    assert accept.outcome == "done"
    assert accept.fired == []  # the stage had ended when they came: stale, ignored
    assert accept.on_time
    assert incident.stages["feedback_first"].fired == [50]
    assert incident.counters.breaches == 0
    assert r.xlen(keys.deadletter) == 0


def test_two_clocks_racing_fire_each_signal_exactly_once(
    r: redis.Redis, keys: Keys, seeded: Registry, settings: Settings
) -> None:
    ids = [
        post(r, keys, seeded, n, category="01", reported_at="2026-11-20T09:00:00+08:00")
        for n in range(150)
    ]
    drain(r, settings)
    small = SlaSettings(batch_size=7, max_rounds=1)
    clocks = [SlaClock(redis.Redis.from_url(settings.redis_url or ""), keys, small, TZ,
                       name=f"c{i}") for i in range(3)]  # fmt: skip
    done = threading.Event()

    def run(c: SlaClock) -> None:
        while not done.is_set():
            c.tick(NOW)

    threads = [threading.Thread(target=run, args=(c,)) for c in clocks]
    for thread in threads:
        thread.start()
    for _ in range(200):
        drain(r, settings)
        if r.zcard(keys.sla_due) == 0:
            break
    done.set()
    for thread in threads:
        thread.join()
    drain(r, settings)
    counts = keyed(sla_signals(r, keys))
    assert set(counts.values()) == {1}
    assert len(counts) == 150 * 12  # per case: 4 + 3 urges (accept), 4 + 1 (feedback)
    assert sum(c.emitted for c in clocks) == 150 * 12
    for incident_id in ids[:10]:
        incident = load(r, keys, incident_id)
        assert incident.counters.breaches == 2
        assert incident.counters.urges == 4
