from __future__ import annotations

import json
import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import redis

from feeds.intake import Intake
from gridwall.contract.events import Action, EventIn
from gridwall.engine.incident import Incident
from gridwall.engine.processor.processor import Processor, processor_lag
from gridwall.platform.keys import PROCESSOR_GROUP, Keys
from gridwall.platform.settings import Settings
from gridwall.refdata.registry import Registry
from tests.helpers import drain, report

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def intake(r: redis.Redis, keys: Keys) -> Intake:
    return Intake(r, keys, TZ, 1000)


def post(intake: Intake, registry: Registry, *events: dict[str, object]) -> list[str]:
    now = datetime.now(TZ)
    ids = []
    for event in events:  # one by one: a status update refers to an earlier report
        normalized = intake.normalize(EventIn.model_validate(event), registry, now)
        ids += [res.incident_id for res in intake.enqueue([normalized])]
    return ids


def status(ref: str, value: str, n: int) -> dict[str, object]:
    return {
        "source": "gridapp",
        "source_event_id": f"s-{n}",
        "kind": "status",
        "ref": ref,
        "status": value,
        "reported_at": "2026-11-27T10:00:00+08:00",
    }


def load(r: redis.Redis, keys: Keys, incident_id: str) -> Incident:
    return Incident.model_validate_json(r.get(keys.incident(incident_id)))


def side_by_side(workers: list[Processor], timeout: float) -> None:
    """Run the processors in threads until each finds the inbox empty."""

    def work(p: Processor) -> None:
        while p.step(block_ms=1):
            pass

    threads = [threading.Thread(target=work, args=(p,)) for p in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)


def test_indexes_and_counters_follow_the_lifecycle(
    r: redis.Redis, keys: Keys, seeded: Registry, intake: Intake, settings: Settings
) -> None:
    ids = post(intake, seeded, report(1), report(2))
    drain(r, settings)
    incident = load(r, keys, ids[0])
    area = incident.area
    assert r.zcard(keys.open_index) == 2
    counts = {k.decode(): int(v) for k, v in r.hgetall(keys.open_by_area).items()}
    for code in (area.grid, area.community, area.street, "320115"):
        assert counts[code] == 2
    day = datetime.now(TZ).strftime("%Y%m%d")
    stats = {k.decode(): int(v) for k, v in r.hgetall(keys.daily_stats(day)).items()}
    assert stats["received"] == 2
    assert stats["received:cat:12"] == 2
    post(intake, seeded, status("e-1", "closed", 1))
    drain(r, settings)
    assert r.zcard(keys.open_index) == 1
    assert int(r.hget(keys.open_by_area, "320115")) == 1
    changes = [f[b"op"] for _id, f in r.xrange(keys.changes)]
    assert changes == [b"new", b"new", b"close"]
    summary = json.loads(r.xrange(keys.changes)[0][1][b"s"])
    assert "reporter" not in summary


def test_an_illegal_transition_goes_to_the_dead_letters(
    r: redis.Redis, keys: Keys, seeded: Registry, intake: Intake, settings: Settings
) -> None:
    post(intake, seeded, report(1), status("e-1", "closed", 1), status("e-1", "accepted", 2))
    drain(r, settings)
    letters = r.xrange(keys.deadletter)
    assert len(letters) == 1
    assert b"cannot accept an incident that is closed" in letters[0][1][b"reasons"]
    assert r.xpending(keys.inbox, PROCESSOR_GROUP)["pending"] == 0


def test_entries_left_by_a_dead_consumer_are_reclaimed_once(
    r: redis.Redis, keys: Keys, seeded: Registry, intake: Intake, settings: Settings
) -> None:
    post(intake, seeded, report(1), report(2), report(3))
    dead = Processor(r, keys, settings.processor, TZ, "dead")
    dead.ensure_group()
    # The dead consumer reads the entries and crashes before committing.
    r.xreadgroup(PROCESSOR_GROUP, "dead", {keys.inbox: ">"}, count=10)
    assert r.xpending(keys.inbox, PROCESSOR_GROUP)["pending"] == 3
    survivor = Processor(
        r, keys, settings.processor.model_copy(update={"claim_idle_ms": 0}), TZ, "alive"
    )
    assert survivor.reclaim() == 3
    assert r.xpending(keys.inbox, PROCESSOR_GROUP)["pending"] == 0
    assert r.zcard(keys.open_index) == 3
    assert survivor.reclaim() == 0
    assert r.xlen(keys.changes) == 3


def test_a_replayed_event_changes_nothing(
    r: redis.Redis, keys: Keys, seeded: Registry, intake: Intake, settings: Settings
) -> None:
    (incident_id,) = post(intake, seeded, report(1))
    post(intake, seeded, status("e-1", "accepted", 1))
    drain(r, settings)
    before = r.get(keys.incident(incident_id))
    # Replay the whole inbox as if the acknowledgements had been lost.
    for _entry_id, fields in r.xrange(keys.inbox):
        r.xadd(keys.inbox, fields)
    drain(r, settings)
    assert r.get(keys.incident(incident_id)) == before
    assert r.zcard(keys.open_index) == 1
    assert r.xlen(keys.changes) == 2


def test_two_processors_in_parallel_lose_no_update(
    r: redis.Redis, keys: Keys, seeded: Registry, intake: Intake, settings: Settings
) -> None:
    ids = post(intake, seeded, *[report(i) for i in range(50)])
    post(intake, seeded, *[status(f"e-{i}", "accepted", i) for i in range(50)])
    post(intake, seeded, *[status(f"e-{i}", "closed", 100 + i) for i in range(0, 50, 2)])
    small = settings.processor.model_copy(update={"batch_size": 7})
    workers = [Processor(r, keys, small, TZ, f"p{i}") for i in range(2)]
    workers[0].ensure_group()
    side_by_side(workers, timeout=30)
    drain(r, settings)
    statuses = [load(r, keys, i).status.value for i in ids]
    assert statuses.count("closed") == 25
    assert statuses.count("accepted") == 25
    assert r.zcard(keys.open_index) == 25
    assert int(r.hget(keys.open_by_area, "320115")) == 25
    assert r.xlen(keys.deadletter) == 0


def test_lag_is_measured_from_the_oldest_unprocessed_entry(
    r: redis.Redis, keys: Keys, seeded: Registry, intake: Intake, settings: Settings
) -> None:
    assert processor_lag(r, keys) is None  # no group yet
    Processor(r, keys, settings.processor, TZ).ensure_group()
    assert processor_lag(r, keys) == 0.0
    r.xadd(keys.inbox, {"e": "{}"}, id="1000-0")
    lag = processor_lag(r, keys)
    assert lag is not None
    assert lag > 1_000_000
    drain(r, settings)
    assert processor_lag(r, keys) == 0.0
    assert r.xlen(keys.deadletter) == 1  # an unreadable entry is kept, not dropped


def test_processed_entries_are_trimmed_but_never_unprocessed_ones(
    r: redis.Redis, keys: Keys, seeded: Registry, intake: Intake, settings: Settings
) -> None:
    post(intake, seeded, *[report(i) for i in range(3)])
    proc = Processor(r, keys, settings.processor.model_copy(update={"inbox_retention_s": 0}), TZ)
    proc.ensure_group()
    proc.trim_inbox()
    assert r.xlen(keys.inbox) == 3
    drain(r, settings)
    post(intake, seeded, report(9))  # not yet processed
    proc.trim_inbox()
    # Kept: the last delivered entry (the trim bound) and the unprocessed one.
    assert r.xlen(keys.inbox) == 2


def lifecycle(lead: str, co: str) -> list[tuple[str, str | None, dict[str, object]]]:
    return [
        ("accept", None, {}),
        ("dispatch", lead, {"co": [co]}),
        ("sign", lead, {}),
        ("report_back", lead, {}),
        ("verify", None, {"result": "pass"}),
    ]


def test_several_processors_apply_each_incidents_events_in_order(
    r: redis.Redis, keys: Keys, seeded: Registry, intake: Intake, settings: Settings
) -> None:
    """Each case's five actions are adjacent in the inbox, so with batches of two they are
    spread over three processors at once: each must wait for the older ones of its cases."""
    ids = post(intake, seeded, *[report(i) for i in range(12)])
    drain(r, settings)
    lead, co = sorted(seeded.departments)[:2]
    now = datetime.now(TZ)
    intake.enqueue(
        [
            Action(
                event_id=f"a{n}-{step}",
                source="api",
                source_event_id=f"a{n}-{step}",
                received_at=now,
                incident_id=incident_id,
                action=action,
                actor="tester",
                at=now,
                department=department,
                params=params,
            )
            for n, incident_id in enumerate(ids)
            for step, (action, department, params) in enumerate(lifecycle(lead, co))
        ]
    )
    small = settings.processor.model_copy(update={"batch_size": 2})
    workers = [Processor(r, keys, small, TZ, f"p{i}") for i in range(3)]
    side_by_side(workers, timeout=60)
    assert r.xlen(keys.deadletter) == 0
    assert {load(r, keys, i).status.value for i in ids} == {"closed"}
    assert all(len(load(r, keys, i).history) == 6 for i in ids)
    assert r.zcard(keys.open_index) == 0


def test_an_older_event_left_by_a_dead_processor_is_applied_first(
    r: redis.Redis, keys: Keys, seeded: Registry, intake: Intake, settings: Settings
) -> None:
    (incident_id,) = post(intake, seeded, report(1))
    drain(r, settings)
    post(intake, seeded, status("e-1", "accepted", 1), status("e-1", "closed", 2))
    quick = settings.processor.model_copy(update={"claim_idle_ms": 200, "batch_size": 1})
    dead = Processor(r, keys, quick, TZ, "dead")
    dead.client.xreadgroup(PROCESSOR_GROUP, "dead", {keys.inbox: ">"}, count=1)  # then dies
    survivor = Processor(r, keys, quick, TZ, "survivor")
    survivor._last_claim = time.monotonic()  # its periodic reclaim is not due yet
    while survivor.step(block_ms=1):
        pass
    incident = load(r, keys, incident_id)
    assert [h.action for h in incident.history] == ["report", "accept", "close"]
    assert r.xlen(keys.deadletter) == 0
    assert r.xpending(keys.inbox, PROCESSOR_GROUP)["pending"] == 0
