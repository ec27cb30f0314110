"""SLA clock benchmark: a tick over 100,000 open incidents, and a storm of due signals.

    .venv/bin/python bench/sla_clock.py [--incidents 100000]

1. Plans: each incident is opened by the real pure lifecycle (its accept and first-answer
   stages start) and its plans are written exactly as the processor writes them, so the due
   set holds 2 members per incident with realistic plan JSON.
2. Idle tick: ``SlaClock.tick`` with nothing due, 2,000 times (target ≤ 50 ms). Baseline in the
   same run: a PING round trip, the floor of any tick.
3. Storm: a tick at a time when every warning and breach of every plan is due (8 signals per
   incident: 3 warnings and the breach of two stages) (target ≥ 10,000 signals/s). Baseline in
   the same run: the same number of equally large entries appended by pipelined XADD from
   Python, the floor of appending to the inbox.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import describe, embedded_redis
from gridwall.contract.events import AreaPath, Report, Urgency
from gridwall.engine.cases.lifecycle import apply
from gridwall.engine.cases.rules import default_rules
from gridwall.engine.sla.clock import SlaClock
from gridwall.engine.sla.schedule import plan_changes
from gridwall.platform.keys import Keys
from gridwall.platform.settings import SlaSettings

TZ = ZoneInfo("Asia/Shanghai")
KEYS = Keys("320115")
START = datetime(2026, 11, 27, 9, 0, tzinfo=TZ)


def seed(client: object, count: int) -> int:
    rules = default_rules()
    pipe = client.pipeline(transaction=False)  # type: ignore[attr-defined]
    written = 0
    for n in range(count):
        at = START + timedelta(seconds=n % 3600)
        report = Report(
            event_id=f"r{n}", source="bench", source_event_id=f"r{n}", received_at=at,
            incident_id=f"320115-20261127-{n:06d}", category="01", urgency=Urgency.NORMAL,
            area=AreaPath(county="320115", street="320115001000", community="320115001001",
                          grid="320115001001001"),
            reported_at=at, title="暴露垃圾",
        )  # fmt: skip
        incident = apply(None, report, at, rules).incident
        assert incident is not None
        pipe.set(KEYS.incident(incident.id), incident.model_dump_json())
        for plan in plan_changes(None, incident).write:
            pipe.hset(KEYS.sla_plans, plan.member, plan.body)
            pipe.zadd(KEYS.sla_due, {plan.member: plan.score_ms})
            written += 1
        if n % 2000 == 1999:
            pipe.execute()
    pipe.execute()
    return written


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--ticks", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=SlaSettings().batch_size)
    args = parser.parse_args()
    with embedded_redis() as client:
        began = time.perf_counter()
        plans = seed(client, args.incidents)
        print(f"seeded {args.incidents} incidents, {plans} plans in "
              f"{time.perf_counter() - began:.1f} s")  # fmt: skip
        settings = SlaSettings(batch_size=args.batch, max_rounds=1_000_000)
        clock = SlaClock(client, KEYS, settings, TZ, name="bench")
        quiet = START - timedelta(minutes=1)
        idle, ping = [], []
        for _ in range(args.ticks):
            t0 = time.perf_counter()
            assert clock.tick(quiet) == 0
            idle.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            client.ping()
            ping.append((time.perf_counter() - t0) * 1000)
        print(f"idle tick over {plans} plans: {describe(idle)}")
        print(f"baseline PING round trip:     {describe(ping)}")
        ratio = sorted(idle)[len(idle) // 2] / sorted(ping)[len(ping) // 2]
        print(f"idle tick / PING (median): {ratio:.2f}")

        storm_at = START + timedelta(days=30)
        inbox_before = client.xlen(KEYS.inbox)
        t0 = time.perf_counter()
        emitted = clock.tick(storm_at)
        storm_s = time.perf_counter() - t0
        assert client.xlen(KEYS.inbox) - inbox_before == emitted
        sample = client.xrange(KEYS.inbox, count=1)[0][1]
        rate = emitted / storm_s
        print(f"storm: {emitted} signals in {storm_s:.2f} s = {rate:,.0f} signals/s")

        payload = {b"e": sample[b"e"], b"i": sample[b"i"]}
        baseline_key = KEYS.prefix + ":bench:xadd"
        t0 = time.perf_counter()
        pipe = client.pipeline(transaction=False)
        for n in range(emitted):
            pipe.xadd(baseline_key, payload)
            if n % 2000 == 1999:
                pipe.execute()
        pipe.execute()
        base_s = time.perf_counter() - t0
        base_rate = emitted / base_s
        print(f"baseline pipelined XADD of {emitted} entries of {len(sample[b'e'])} bytes: "
              f"{base_s:.2f} s = {base_rate:,.0f} entries/s")  # fmt: skip
        print(f"storm / baseline: {rate / base_rate:.2f}")
        info = client.info("memory")
        print(f"redis used_memory after the storm: {info['used_memory_human']}")
        print(json.dumps({"idle_median_ms": sorted(idle)[len(idle) // 2], "storm_per_s": rate,
                          "xadd_per_s": base_rate}))  # fmt: skip


if __name__ == "__main__":
    main()
