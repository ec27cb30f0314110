"""Hikvision ISAPI XML posts, one alarm per request: alarms/s accepted and processed.

    .venv/bin/python bench/hikvision_posts.py [--requests 20000] [--concurrency 32]
                                              [--cameras 50] [--workers 1]

Starts a private Redis, ``gridwall intake`` (``--workers`` uvicorn processes are not used: one
intake process) and one ``gridwall worker``; ``--concurrency`` keep-alive connections post the
recorded ``fielddetection`` alert (each with its own time and one of ``--cameras`` MAC
addresses) to ``/api/v1/alarms/hikvision``. Accepted = 200 ``ok`` answers per second;
processed = alarm events the processor has taken (``alarms:received`` of the day's stats).
The in-process parse rate of the same payloads is printed beside it (the HTTP and Redis cost
is the difference). Prints a Markdown row.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.harness import cpu_delta, gridwall_stack, load_average
from bench.loadgen import hammer, request
from feeds.adapters.hikvision.parse import parse
from gridwall.platform.keys import Keys

TEMPLATE = (
    Path(__file__).parent.parent / "docs" / "examples" / "hikvision-fielddetection.xml"
).read_bytes()
FEEDS = '[[sources]]\nid = "cams"\ntype = "hikvision"\nallow = ["127.0.0.1/32"]\n'


def payloads(count: int, cameras: int) -> list[bytes]:
    found = []
    for n in range(count):
        camera = n % cameras
        mac = f"44:19:b6:01:{camera // 256:02x}:{camera % 256:02x}".encode()
        ip = f"10.99.{camera // 256}.{camera % 256}".encode()
        stamp = f"2026-11-20T21:{n // 3600 % 60:02d}:{n // 60 % 60:02d}.{n % 1000:03d}+08:00"
        found.append(
            TEMPLATE.replace(b"44:19:b6:00:12:7a", mac)
            .replace(b"10.20.3.41", ip)
            .replace(b"2026-11-20T21:14:05+08:00", stamp.encode())
        )
    return found


def post_all(base: str, bodies: list[bytes], concurrency: int) -> tuple[int, float]:
    host, port = base.removeprefix("http://").split(":")
    requests = [
        request(host, int(port), "/api/v1/alarms/hikvision", b, "application/xml") for b in bodies
    ]
    result = asyncio.run(hammer(host, int(port), requests, concurrency, b'"alarms":1'))
    return result.bodies_ok, result.elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--cameras", type=int, default=50)
    args = parser.parse_args()
    bodies = payloads(args.requests, args.cameras)
    zone = ZoneInfo("Asia/Shanghai")
    start = time.perf_counter()
    for body in bodies:
        parse(body, "application/xml", zone=zone)
    parse_rate = len(bodies) / (time.perf_counter() - start)
    with tempfile.TemporaryDirectory() as tmp, gridwall_stack(Path(tmp), feeds=FEEDS) as stack:
        keys = Keys("320115")
        began = time.perf_counter()
        cpu_before = stack.cpu()
        ok, elapsed = post_all(stack.base, bodies, args.concurrency)
        day = datetime.now(zone).strftime("%Y%m%d")
        deadline = time.monotonic() + 300
        while int(stack.client.hget(keys.daily_stats(day), "alarms:received") or 0) < ok:
            if time.monotonic() > deadline:
                raise SystemExit("alarms not processed within 5 minutes")
            time.sleep(0.02)
        processed = time.perf_counter() - began
        used = cpu_delta(cpu_before, stack.cpu())
        merged = stack.client.zcard(keys.alarm_index)
        per = {k: f"{v / ok * 1e6:.0f} µs" for k, v in used.items()}
        print(f"CPU per alarm: {per}")
        print(f"load average: {load_average()}; merged alarms: {merged}")
        print("| requests | concurrency | accepted alarms/s | processed alarms/s | parse only/s |")
        print("|---|---|---|---|---|")
        print(
            f"| {args.requests} | {args.concurrency} | {ok / elapsed:,.0f} "
            f"| {ok / processed:,.0f} | {parse_rate:,.0f} |"
        )
        if ok != args.requests:
            print(f"warning: {args.requests - ok} requests not accepted")


if __name__ == "__main__":
    main()
