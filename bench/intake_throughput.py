"""Batch JSON intake to processed incident state, beside raw pipelined XADD (same run).

    .venv/bin/python -m bench.intake_throughput [--events 60000] [--batch 1000]
                                                [--processors 1] [--clients 2] [--late-hours 0]

Starts a private Redis, ``gridwall intake`` and ``gridwall worker`` process(es), posts
``--events`` reports in arrays of ``--batch`` to ``POST /api/v1/events`` from ``--clients``
threads with a source token, and measures until every report is an open incident (the open
index holds them all): that is the processed rate. The baseline, measured in the same run on
the same Redis, is redis-py writing the same normalized events with pipelined XADD (1,000 per
pipeline) to a scratch stream: the cost of merely appending them. Prints a Markdown row.

The reports carry the current time as ``reported_at``, so no SLA signal falls due during the
run and the figure does not depend on the time of day it is run at. ``--late-hours H`` reports
them H hours late instead: then their clocks' warnings and breaches fall due at once (the SLA
clock runs in ``gridwall worker``) and the processor applies those too while the reports come
in (up to 7 signals per report at 7 h late).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx2 as httpx

from bench.harness import cpu_delta, gridwall_stack, load_average
from feeds.sources.credentials import SourceTokens
from gridwall.platform.keys import Keys


def reports(count: int, batch: int, reported_at: str = "2026-11-27T09:30:00+08:00") -> list[bytes]:
    bodies = []
    for start in range(0, count, batch):
        items = [
            {
                "source": "gridapp",
                "source_event_id": f"b-{n}",
                "category": "12" if n % 2 else "01",
                "location": {"lon": 118.70 + (n % 400) * 0.0005, "lat": 31.90 + (n % 97) * 0.0004},
                "reported_at": reported_at,
                "title": f"井盖缺失 {n}",
            }
            for n in range(start, min(count, start + batch))
        ]
        bodies.append(json.dumps(items, ensure_ascii=False).encode())
    return bodies


def baseline(stack_client: object, bodies: list[bytes]) -> float:
    """Raw pipelined XADD of the same events (one JSON entry each) to a scratch stream."""
    import redis  # noqa: PLC0415

    client = stack_client
    assert isinstance(client, redis.Redis)
    events = [json.dumps(item, ensure_ascii=False) for body in bodies for item in json.loads(body)]
    start = time.perf_counter()
    for at in range(0, len(events), 1000):
        pipe = client.pipeline(transaction=False)
        for event in events[at : at + 1000]:
            pipe.xadd("bench:scratch", {"e": event})
        pipe.execute()
    rate = len(events) / (time.perf_counter() - start)
    client.delete("bench:scratch")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=60_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--processors", type=int, default=1)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--late-hours", type=float, default=0.0, help="report times this late")
    args = parser.parse_args()
    reported = datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(hours=args.late_hours)
    feeds = '[[sources]]\nid = "gridapp"\ntype = "http"\n'
    with (
        tempfile.TemporaryDirectory() as tmp,
        gridwall_stack(Path(tmp), processors=args.processors, feeds=feeds) as stack,
    ):
        keys = Keys("320115")
        token = SourceTokens(stack.client, keys).issue("gridapp", label="bench")
        bodies = reports(args.events, args.batch, reported.isoformat(timespec="seconds"))
        raw_rate = baseline(stack.client, bodies)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        queue = list(enumerate(bodies))
        lock = threading.Lock()
        failures: list[int] = []

        def post() -> None:
            with httpx.Client(timeout=60) as http:
                while True:
                    with lock:
                        if not queue:
                            return
                        _, body = queue.pop()
                    res = http.post(f"{stack.base}/api/v1/events", content=body, headers=headers)
                    if res.status_code != 202:
                        failures.append(res.status_code)

        cpu_before = stack.cpu()
        start = time.perf_counter()
        threads = [threading.Thread(target=post) for _ in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        posted = time.perf_counter() - start
        deadline = time.monotonic() + 600
        while stack.client.zcard(keys.open_index) < args.events - len(failures) * args.batch:
            if time.monotonic() > deadline:
                raise SystemExit("not all events were processed within 10 minutes")
            time.sleep(0.02)
        processed = time.perf_counter() - start
        used = cpu_delta(cpu_before, stack.cpu())
        signals = stack.client.xlen(keys.inbox) - args.events
        print(f"inbox entries besides the reports (SLA signals): {signals}")
        per = {k: f"{v / args.events * 1e6:.0f} µs" for k, v in used.items()}
        print(f"CPU per event: {per}")
        rate = args.events / processed
        print(f"load average before/after: {load_average()}")
        print(f"failures: {failures[:5]}")
        print(
            "| events | batch | processors | accepted/s (HTTP) | processed/s | raw XADD/s | ratio |"
        )
        print("|---|---|---|---|---|---|---|")
        print(
            f"| {args.events} | {args.batch} | {args.processors} | {args.events / posted:,.0f} "
            f"| {rate:,.0f} | {raw_rate:,.0f} | {rate / raw_rate:.2f} |"
        )


if __name__ == "__main__":
    main()
