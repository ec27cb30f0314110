"""Crash tests: workers (processor + SLA clock) killed with SIGKILL mid-batch and restarted.

Real ``gridwall worker`` processes on the test Redis. Whatever moment they die at, in the end
every planned signal is in the inbox exactly once and applied exactly once: no breach lost,
none duplicated, counters exact.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import redis

from feeds.intake import Intake
from gridwall.contract.events import EventIn
from gridwall.engine.incident import Incident
from gridwall.engine.processor.processor import processor_lag
from gridwall.platform.keys import PROCESSOR_GROUP, Keys
from gridwall.platform.settings import Settings
from gridwall.refdata.registry import Registry
from tests.helpers import report, sla_signals

TZ = ZoneInfo("Asia/Shanghai")
CASES = 600
#: Per case: accept 3 warnings + breach + 3 urges, feedback_first 3 warnings + breach + 1 urge.
SIGNALS_PER_CASE = 12

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def worker(settings: Settings, *args: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDWALL_")}
    env.update(
        REDIS_URL=settings.redis_url or "",
        GRIDWALL_PROCESSOR__CLAIM_IDLE_MS="1000",
        GRIDWALL_PROCESSOR__BLOCK_MS="50",
        GRIDWALL_PROCESSOR__BATCH_SIZE="100",
        GRIDWALL_SLA__BATCH_SIZE="40",
        GRIDWALL_SLA__MAX_ROUNDS="1",
        GRIDWALL_SLA__TICK_MS="10",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "gridwall", "worker", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def seed_cases(r: redis.Redis, keys: Keys, registry: Registry) -> list[str]:
    intake = Intake(r, keys, TZ, 1000)
    now = datetime(2026, 11, 27, 10, tzinfo=TZ)
    events = [
        intake.normalize(
            EventIn.model_validate(
                report(n, category="01", reported_at="2026-11-02T09:00:00+08:00")
            ),
            registry,
            now,
        )
        for n in range(CASES)
    ]
    return [e.incident_id for e in intake.enqueue(events)]


def finished(r: redis.Redis, keys: Keys) -> bool:
    if r.zcard(keys.sla_due) or processor_lag(r, keys) != 0.0:
        return False
    pending = r.xpending(keys.inbox, PROCESSOR_GROUP)
    return int(pending["pending"]) == 0


def wait_until(condition: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def kill(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)


def check_exact(r: redis.Redis, keys: Keys, ids: list[str]) -> None:
    signals = sla_signals(r, keys)
    counts = Counter(
        (s["incident_id"], s["stage"], s["deadline"], s["signal"], s["threshold"], s["repeat"])
        for s in signals
    )
    assert set(counts.values()) == {1}, "a signal was appended twice"
    assert len(counts) == CASES * SIGNALS_PER_CASE, "a signal was lost"
    docs = r.mget([keys.incident(i) for i in ids])
    incidents = [Incident.model_validate_json(d) for d in docs if d is not None]
    assert len(incidents) == CASES
    for incident in incidents:
        assert incident.stages["accept"].fired == [50, 75, 90, 100]
        assert incident.stages["feedback_first"].fired == [50, 75, 90, 100]
        assert incident.counters.breaches == 2
        assert incident.counters.urges == 4
        assert [h.action for h in incident.history].count("sla.breach") == 2
    assert int(r.hget(keys.sla_counts, "overdue") or 0) == CASES
    assert r.zcard(keys.open_index) == CASES
    assert r.xlen(keys.deadletter) == 0


def test_a_worker_killed_again_and_again_loses_and_repeats_nothing(
    r: redis.Redis, keys: Keys, seeded: Registry, settings: Settings
) -> None:
    ids = seed_cases(r, keys, seeded)
    rng = random.Random(5)
    interrupted = 0
    for _round in range(4):
        proc = worker(settings)
        before = r.xlen(keys.inbox)
        # Let it get going (some entries processed or signals fired), then kill it mid-run.
        wait_until(lambda b=before: r.xlen(keys.inbox) > b + 50 or finished(r, keys), 60)
        time.sleep(rng.uniform(0.05, 0.4))
        interrupted += not finished(r, keys)
        kill(proc)
    assert interrupted >= 2  # the kills really hit work in progress
    proc = worker(settings)
    try:
        wait_until(lambda: finished(r, keys), 180)
    finally:
        kill(proc)
    check_exact(r, keys, ids)


def test_two_clocks_and_two_processors_with_one_of_each_killed(
    r: redis.Redis, keys: Keys, seeded: Registry, settings: Settings
) -> None:
    ids = seed_cases(r, keys, seeded)
    steady = [worker(settings, "--no-clock"), worker(settings, "--no-processor")]
    try:
        interrupted = 0
        for _round in range(3):
            victim = worker(settings)
            before = r.xlen(keys.inbox)
            wait_until(lambda b=before: r.xlen(keys.inbox) > b + 50 or finished(r, keys), 60)
            time.sleep(0.1)
            interrupted += not finished(r, keys)
            kill(victim)
        assert interrupted >= 1
        wait_until(lambda: finished(r, keys), 180)
    finally:
        for proc in steady:
            kill(proc)
    check_exact(r, keys, ids)
