"""The nightly archive on a real Redis: closed cases and snapshots to Parquet, idempotent;
reopened cases leave the closed files; old cases leave Redis with every trace."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow.parquet as pq
import redis

from feeds.intake import Intake
from gridwall.contract.events import Action, EventIn
from gridwall.engine.cases.lifecycle import apply
from gridwall.engine.cases.rules import Rules, default_rules
from gridwall.engine.incident import Incident
from gridwall.history.archive import Archiver
from gridwall.history.store import CLOSED, OPEN, DayRows, HistoryStore
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.refdata.registry import Registry
from tests.dashboard.briefing.golden import AS_OF, DAY, golden_incidents, store_in_redis
from tests.helpers import act, drain, load, report

TZ = ZoneInfo("Asia/Shanghai")


def archiver(r: redis.Redis, keys: Keys, folder: Path, live_days: int = 400) -> Archiver:
    return Archiver(r, keys, HistoryStore(folder), TZ, live_days=live_days,
                    retention_days=730, personal_days=3650)  # fmt: skip


def closed_ids(store: HistoryStore) -> list[str]:
    return [i for d in store.days(CLOSED) for i in store.read(CLOSED, d, "cases")["id"].to_pylist()]  # type: ignore[index]


def test_closed_cases_and_the_snapshot_once_each(
    r: redis.Redis, keys: Keys, seeded: Registry, tmp_path: Path
) -> None:
    incidents = golden_incidents(seeded, count=80)
    store_in_redis(r, keys, incidents)
    arch = archiver(r, keys, tmp_path)
    result = arch.run(AS_OF)
    store = arch.store
    closed = {i.id: i for i in incidents if not i.is_open}
    assert result.closed == len(closed)
    assert result.snapshot == len(incidents) - len(closed)
    assert sorted(closed_ids(store)) == sorted(closed)
    for day in store.days(CLOSED):
        table = store.read(CLOSED, day, "cases")
        assert table is not None
        for case_id, doc in zip(table["id"].to_pylist(), table["doc"].to_pylist(), strict=True):
            back = Incident.model_validate_json(doc)
            assert back.closed_at is not None
            assert back.closed_at.astimezone(TZ).date() == day
            assert back == closed[case_id]
    snapshot = store.read(OPEN, DAY, "cases")
    assert snapshot is not None
    assert "doc" not in snapshot.column_names
    assert sorted(snapshot["id"].to_pylist()) == sorted(i.id for i in incidents if i.is_open)
    assert store.snapshot_as_of(DAY) == AS_OF
    assert float(r.get(keys.history_archived) or 0) > 0
    # a second run writes nothing twice
    again = arch.run(AS_OF + timedelta(minutes=5))
    assert again.closed == 0
    assert sorted(closed_ids(store)) == sorted(closed)


def test_a_reopened_case_leaves_the_closed_files(
    r: redis.Redis, keys: Keys, seeded: Registry, tmp_path: Path
) -> None:
    incidents = golden_incidents(seeded, count=40)
    store_in_redis(r, keys, incidents)
    arch = archiver(r, keys, tmp_path)
    arch.run(AS_OF)
    case = next(i for i in incidents if i.status.value == "closed")
    later = AS_OF + timedelta(hours=2)
    reopen = Action(event_id="re", source="t", source_event_id="re", received_at=later,
                    incident_id=case.id, action="reopen", actor="x", at=later)  # fmt: skip
    reopened = apply(case, reopen, later, Rules(default_rules().book, seeded)).incident
    assert reopened is not None
    assert reopened.is_open
    r.set(keys.incident(case.id), reopened.model_dump_json())
    r.zadd(keys.updated_index, {case.id: later.timestamp()})
    r.zadd(keys.open_index, {case.id: later.timestamp()})
    result = arch.run(later + timedelta(hours=1))
    assert result.left == 1
    assert case.id not in closed_ids(arch.store)
    snapshot = arch.store.read(OPEN, DAY, "cases")
    assert snapshot is not None
    assert case.id in snapshot["id"].to_pylist()


def test_old_cases_leave_redis_with_every_trace(
    r: redis.Redis, keys: Keys, settings: Settings, seeded: Registry, tmp_path: Path
) -> None:
    intake = Intake(r, keys, TZ, 1000)
    now = datetime.now(TZ)
    ids = []
    # the young case happens (in the test's clock) 34 days from now
    for n, when in ((1, now - timedelta(days=60)), (2, now + timedelta(days=34))):
        event = EventIn.model_validate(report(n, reported_at=when.isoformat()))
        (done,) = intake.enqueue([intake.normalize(event, seeded, when)])
        ids.append(done.incident_id)
        act(r, keys, done.incident_id, "accept", when + timedelta(minutes=5), 10 * n)
        act(r, keys, done.incident_id, "close", when + timedelta(minutes=9), 10 * n + 1)
    drain(r, settings)
    old, young = ids
    assert load(r, keys, old).status.value == "closed"
    assert r.hlen(keys.sla_plans) >= 2  # the result owed to the reporting grid
    # 40 days on, the old case is past the 35-day live window; the young one is not
    later = now + timedelta(days=40)
    result = archiver(r, keys, tmp_path, live_days=35).run(later)
    assert result.pruned == 1
    assert result.dedup >= 3  # the report and both actions
    assert not r.exists(keys.incident(old))
    for index in (keys.reported_index, keys.updated_index, keys.closed_index, keys.recent_index):
        assert r.zscore(index, old) is None, index
    assert old.encode() not in r.hvals(keys.dedup)
    assert not [m for m in r.hkeys(keys.sla_plans) if m.startswith(old.encode())]
    assert not [m for m in r.zrange(keys.sla_due, 0, -1) if m.startswith(old.encode())]
    assert r.exists(keys.incident(young))
    assert young.encode() in r.hvals(keys.dedup)
    assert old in closed_ids(archiver(r, keys, tmp_path).store)  # kept in the history


def test_counters_and_retention(r: redis.Redis, keys: Keys, tmp_path: Path) -> None:
    arch = archiver(r, keys, tmp_path)
    r.hset(keys.daily_stats(DAY.strftime("%Y%m%d")), mapping={"received": 5, "alarms:new": 2})
    start = datetime.combine(DAY, datetime.min.time(), TZ)
    for minutes in (1, 600, 1439):
        stamp = int((start + timedelta(minutes=minutes)).timestamp() * 1000)
        r.xadd(keys.deadletter, {"raw": "x"}, id=f"{stamp}-0")
    r.xadd(
        keys.deadletter, {"raw": "x"}, id=f"{int((start + timedelta(days=1)).timestamp() * 1000)}-0"
    )
    old = DAY - timedelta(days=800)
    arch.store.write_snapshot(old, start, DayRows())
    arch.store.write_counters(old, {"received": 1})
    result = arch.run(AS_OF)
    assert arch.store.read_counters(DAY) == {"received": 5, "alarms:new": 2, "deadletters": 3}
    assert result.days_deleted == 1
    assert old not in arch.store.days(OPEN)
    assert arch.store.read_counters(old) is None
    assert pq.read_schema(arch.store.path(OPEN, DAY, "cases")).metadata[b"as_of"]
