"""Processor benchmark: lifecycle transitions per second, beside a raw XADD baseline.

    .venv/bin/python bench/processor.py [--incidents 20000] [--processors 1] [--batch 500]

Opens ``--incidents`` incidents (reports through the real intake and processor), then appends
five transitions per incident (accept, dispatch to a lead and a co-handling department, sign
for, report back, verify) in five waves, so that every batch (``--batch``, default the
processor's 500) touches as many different incidents (each document read, decided on with
its SLA stages, written, indexed and planned).
Every incident has its own times (reports a second apart, each action 10 minutes and some
seconds after the one before), so no two stage clocks are computed from the same instant.
Times the processor(s) draining them (target ≥ 10,000 transitions/s) and reads the CPU time
each process used (``/proc``), per transition. Baseline in the same run: the same number of
entries, as large, appended by pipelined XADD from Python (the rate at which anything could
even put them into Redis). Redis's own time per command comes from INFO commandstats.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import cpu_seconds, load_average
from bench.server import embedded_redis
from feeds.intake import Intake
from gridwall.contract.events import Action, AreaPath, Report, Urgency
from gridwall.engine.processor.processor import Processor, processor_lag
from gridwall.platform.keys import PROCESSOR_GROUP, Keys
from gridwall.platform.settings import ProcessorSettings

TZ = ZoneInfo("Asia/Shanghai")
KEYS = Keys("320115")
START = datetime(2026, 11, 27, 9, 0, tzinfo=TZ)
WAVES = (
    ("accept", None, {}),
    ("dispatch", "CG", {"co": ["SW"]}),
    ("sign", "CG", {}),
    ("report_back", "CG", {}),
    ("verify", None, {"result": "pass"}),
)
AREA = AreaPath(
    county="320115", street="320115001000", community="320115001001", grid="320115001001001"
)


def open_incidents(intake: Intake, count: int) -> list[str]:
    ids: list[str] = []
    for first in range(0, count, 1000):
        reports = [
            Report(
                event_id=f"r{n}",
                source="bench",
                source_event_id=f"r{n}",
                received_at=START + timedelta(seconds=n),
                category="01",
                urgency=Urgency.NORMAL,
                area=AREA,
                reported_at=START + timedelta(seconds=n),
                title="暴露垃圾",
            )
            for n in range(first, min(first + 1000, count))
        ]
        ids += [e.incident_id for e in intake.enqueue(reports)]
    return ids


def append_transitions(intake: Intake, ids: list[str]) -> bytes:
    """Append the five waves; returns one entry's payload (for the baseline)."""
    sample = b""
    for wave, (action, dept, params) in enumerate(WAVES, start=1):
        for first in range(0, len(ids), 1000):
            events = [
                Action(
                    event_id=f"a{wave}-{n}",
                    source="bench",
                    source_event_id=f"a{wave}-{n}",
                    received_at=_at(wave, n),
                    incident_id=ids[n],
                    action=action,
                    actor="bench",
                    at=_at(wave, n),
                    department=dept,
                    params=params,
                )
                for n in range(first, min(first + 1000, len(ids)))
            ]
            intake.enqueue(events)
            sample = events[0].model_dump_json(exclude_none=True).encode()
    return sample


def _at(wave: int, n: int) -> datetime:
    """When incident ``n`` takes its action of ``wave``: its own report time, plus 10 minutes
    and up to a minute per wave."""
    return START + timedelta(seconds=n + wave * 600 + (n * 7 + wave * 13) % 60)


def run_one(url: str, name: str, batch: int, go: Any, stop: Any, ready: Any) -> None:
    """One processor process (``--processors``): set up, then process while ``go`` is set."""
    client = redis.Redis.from_url(url)
    processor = Processor(client, KEYS, ProcessorSettings(batch_size=batch), TZ, name)
    processor.rules()  # policies, reference data: loaded before the clock starts
    ready.release()
    while not stop.is_set():
        if go.wait(0.05):
            processor.step(block_ms=5)


def drained(client: redis.Redis) -> bool:
    if processor_lag(client, KEYS) != 0.0:
        return False
    return not client.xpending(KEYS.inbox, PROCESSOR_GROUP)["pending"]


class Workers:
    """``count`` processor processes side by side, started once, working while ``go`` is set."""

    def __init__(self, url: str, count: int, batch: int) -> None:
        self.go = multiprocessing.Event()
        self.stop = multiprocessing.Event()
        ready = multiprocessing.Semaphore(0)
        self.procs = [
            multiprocessing.Process(
                target=run_one, args=(url, f"bench-{n}", batch, self.go, self.stop, ready)
            )
            for n in range(count)
        ]
        for proc in self.procs:
            proc.start()
        for _ in self.procs:
            ready.acquire()

    def cpu(self) -> float:
        return sum(cpu_seconds(p.pid) for p in self.procs if p.pid is not None)

    def drain(self, client: redis.Redis) -> float:
        """Let them process until the inbox is drained; returns the seconds it took."""
        t0 = time.perf_counter()
        self.go.set()
        while not drained(client):
            time.sleep(0.005)
        took = time.perf_counter() - t0
        self.go.clear()
        return took

    def close(self) -> None:
        self.stop.set()
        for proc in self.procs:
            proc.join()


def redis_cpu(client: redis.Redis) -> tuple[float, float]:
    """CPU seconds of the Redis server (with its background threads) and of its forked
    children (AOF rewrites, snapshots)."""
    info = client.info("cpu")
    return (
        float(info["used_cpu_sys"]) + float(info["used_cpu_user"]),
        float(info["used_cpu_sys_children"]) + float(info["used_cpu_user_children"]),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=20_000)
    parser.add_argument("--processors", type=int, default=1, help="processes side by side")
    parser.add_argument("--no-aof", action="store_true", help="turn Redis's append-only file off")
    parser.add_argument("--batch", type=int, default=ProcessorSettings().batch_size)
    args = parser.parse_args()
    print(f"load average: {load_average()}")
    with embedded_redis() as client:
        kwargs = client.connection_pool.connection_kwargs
        url = f"redis://:{kwargs['password']}@{kwargs['host']}:{kwargs['port']}/0"
        if args.no_aof:
            client.config_set("appendonly", "no")
        intake = Intake(client, KEYS, TZ, 1000)
        Processor(client, KEYS, ProcessorSettings(), TZ, "setup").ensure_group()
        workers = Workers(url, args.processors, args.batch)
        try:
            ids = open_incidents(intake, args.incidents)
            took = workers.drain(client)
            print(f"opened {len(ids)} incidents in {took:.2f} s = {len(ids) / took:,.0f}/s")
            sample = append_transitions(intake, ids)
            gc.collect()
            client.config_resetstat()
            transitions = len(ids) * len(WAVES)
            cpu = (workers.cpu(), *redis_cpu(client))
            took = workers.drain(client)
            used = [a - b for a, b in zip((workers.cpu(), *redis_cpu(client)), cpu, strict=True)]
        finally:
            workers.close()
        assert client.xlen(KEYS.deadletter) == 0, "a transition was refused"
        rate = transitions / took
        print(
            f"{args.processors} processor(s): {transitions} transitions in {took:.2f} s = "
            f"{rate:,.0f} transitions/s"
        )
        persistence = client.info("persistence")
        per = [u / transitions * 1e6 for u in used]
        print(
            f"  CPU per transition: processors {per[0]:.0f} µs, Redis {per[1]:.0f} µs + its "
            f"AOF rewrites {per[2]:.0f} µs (AOF on: {persistence['aof_enabled']}, "
            f"AOF {persistence.get('aof_current_size', 0) / 1e6:.0f} MB)"
        )
        stats = client.info("commandstats")
        for name in ("cmdstat_exec", "cmdstat_mget", "cmdstat_xreadgroup", "cmdstat_evalsha"):
            if name in stats:
                row = stats[name]
                print(
                    f"  redis {name[8:]}: {row['calls']} calls, {row['usec_per_call']:.0f} µs each"
                )
        t0 = time.perf_counter()
        pipe = client.pipeline(transaction=False)
        for n in range(transitions):
            pipe.xadd(KEYS.prefix + ":bench:xadd", {"e": sample, "i": ids[n % len(ids)]})
            if n % 2000 == 1999:
                pipe.execute()
        pipe.execute()
        base = transitions / (time.perf_counter() - t0)
        print(
            f"baseline pipelined XADD of {transitions} entries of {len(sample)} bytes: "
            f"{base:,.0f} entries/s"
        )
        print(f"processor / baseline: {rate / base:.3f}; load average: {load_average()}")


if __name__ == "__main__":
    main()
