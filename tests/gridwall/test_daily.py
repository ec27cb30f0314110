"""The worker's daily jobs: what is owed when, run once across workers, caught up late."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import redis

from dashboard.briefing.generate import Generator
from gridwall.history.archive import archiver_for
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.processes.daily import DailyJobs, due_jobs
from gridwall.refdata.registry import Registry
from tests.dashboard.briefing.golden import DAY, golden_incidents, store_in_redis

TZ = ZoneInfo("Asia/Shanghai")
ARCHIVE, BRIEFING = time(0, 30), time(7, 30)


@pytest.mark.parametrize(
    ("at", "archived", "briefed", "owed"),
    [
        (time(0, 10), False, False, []),
        (time(0, 30), False, False, ["archive"]),
        (time(6, 0), True, False, []),
        (time(7, 30), True, False, ["briefing"]),
        (time(9, 0), False, False, ["archive", "briefing"]),  # a late start catches up
        (time(9, 0), True, True, []),
        (time(23, 59), True, True, []),
    ],
)
def test_what_is_owed_when(at: time, archived: bool, briefed: bool, owed: list[str]) -> None:
    now = datetime.combine(DAY, at, TZ)
    assert due_jobs(now, ARCHIVE, BRIEFING, archived=archived, briefed=briefed) == owed


def test_the_morning_jobs_run_once(
    settings: Settings, seeded: Registry, r: redis.Redis, keys: Keys
) -> None:
    conf = settings.model_copy(
        update={"briefing": settings.briefing.model_copy(update={"formats": ["html"]})}
    )
    store_in_redis(r, keys, golden_incidents(seeded, count=60))
    jobs = DailyJobs(r, keys, conf, archiver_for(r, keys, conf), Generator(conf, lambda: seeded, r))
    night = datetime.combine(DAY + timedelta(days=1), time(0, 40), TZ)
    assert jobs.run_once(night) == ["archive"]
    assert jobs.run_once(night) == []
    morning = night.replace(hour=7, minute=45)
    r.set(keys.daily_lock("briefing"), "another-worker", ex=60)
    assert jobs.run_once(morning) == []  # another worker holds it
    r.delete(keys.daily_lock("briefing"))
    assert jobs.run_once(morning) == ["briefing"]
    assert jobs.generator.store.file(DAY, "html") is not None
    assert jobs.run_once(morning + timedelta(hours=1)) == []
    assert not r.exists(keys.daily_lock("briefing"))
    jobs.archiver.store.mark_seeding()
    assert jobs.owed(morning + timedelta(days=1)) == []  # a simulated history is being written
    jobs.archiver.store.clear_seeding()
    assert jobs.owed(morning + timedelta(days=1)) == ["archive", "briefing"]
