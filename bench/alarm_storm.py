"""Alarm storm: 50 cameras × 20 alarms/s for 60 s through the Hikvision hook.

    .venv/bin/python bench/alarm_storm.py [--cameras 50] [--rate 20] [--seconds 60]

Starts a private Redis with ``--cameras`` registered cameras (MAC identities), ``gridwall
intake`` and one ``gridwall worker``. Every camera posts ``--rate`` ``fielddetection`` alerts a
second (paced, one request each) for ``--seconds``. Every second the processor lag (age of the
oldest unprocessed inbox entry) is sampled. At the end it checks what the wall shows: merged
alarms per (camera, type) — at most one per merge window — and the counts adding up to the
posts. Prints a Markdown row.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import threading
import time
from pathlib import Path

from bench.harness import cpu_delta, gridwall_stack, load_average
from bench.loadgen import hammer, request
from gridwall.engine.processor.processor import processor_lag
from gridwall.platform.keys import Keys
from gridwall.refdata.model import Camera, CameraIdentity, IdentityKind, Level
from gridwall.refdata.registry import Registry, load_registry, store_registry

TEMPLATE = (
    Path(__file__).parent.parent / "docs" / "examples" / "hikvision-fielddetection.xml"
).read_bytes()
FEEDS = '[[sources]]\nid = "cams"\ntype = "hikvision"\nallow = ["127.0.0.1/32"]\n'


def mac(n: int) -> str:
    return f"44:19:b6:01:{n // 256:02x}:{n % 256:02x}"


def add_cameras(stack_client: object, count: int) -> None:
    keys = Keys("320115")
    registry = load_registry(stack_client, keys)  # type: ignore[arg-type]
    grids = [a for a in registry.by_level(Level.GRID) if a.centroid][:count]
    cameras = [
        Camera(
            id=f"3201150000132{n:07d}",
            name=f"摄像机{n}",
            grid=g.code,
            location=g.centroid,
            identities=[CameraIdentity(kind=IdentityKind.MAC, value=f"{mac(n)}/2")],
        )
        for n, g in enumerate(grids)
    ]
    store_registry(
        stack_client,
        keys,
        Registry(  # type: ignore[arg-type]
            registry.county, registry.areas.values(), registry.categories.values(), cameras=cameras
        ),
    )


def second(host: str, port: int, tick: int, cameras: int, rate: int) -> list[bytes]:
    bodies = []
    for camera in range(cameras):
        for k in range(rate):
            stamp = (
                f"2026-11-20T21:{tick // 60 % 60:02d}:{tick % 60:02d}.{k * 1000 // rate:03d}+08:00"
            )
            body = (
                TEMPLATE.replace(b"44:19:b6:00:12:7a", mac(camera).encode())
                .replace(b"10.20.3.41", f"10.99.{camera // 256}.{camera % 256}".encode())
                .replace(b"2026-11-20T21:14:05+08:00", stamp.encode())
            )
            bodies.append(request(host, port, "/api/v1/alarms/hikvision", body, "application/xml"))
    return bodies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cameras", type=int, default=50)
    parser.add_argument("--rate", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, gridwall_stack(Path(tmp), feeds=FEEDS) as stack:
        add_cameras(stack.client, args.cameras)
        time.sleep(6)  # the intake's registry cache refreshes within 5 s
        host, port = stack.base.removeprefix("http://").split(":")
        keys = Keys("320115")
        lags: list[float] = []
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                lags.append(processor_lag(stack.client, keys) or 0.0)
                stop.wait(1.0)

        sampler = threading.Thread(target=sample)
        sampler.start()
        cpu_before = stack.cpu()
        ok = 0
        late = 0.0
        start = time.perf_counter()
        for tick in range(args.seconds):
            bodies = second(host, int(port), tick, args.cameras, args.rate)
            result = asyncio.run(hammer(host, int(port), bodies, 32, b'"alarms":1'))
            ok += result.bodies_ok
            pause = start + tick + 1 - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            else:
                late = max(late, -pause)
        sent = time.perf_counter() - start
        deadline = time.monotonic() + 120
        while (processor_lag(stack.client, keys) or 0) > 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        stop.set()
        sampler.join()
        used = cpu_delta(cpu_before, stack.cpu())
        docs = [
            json.loads(stack.client.get(keys.alarm(i.decode())))
            for i in stack.client.zrange(keys.alarm_index, 0, -1)
        ]
        per_pair: dict[tuple[str, str], list[dict[str, object]]] = {}
        for doc in docs:
            per_pair.setdefault((str(doc["camera_id"]), str(doc["alarm_type"])), []).append(doc)
        worst = max(len(v) for v in per_pair.values())
        posted = args.cameras * args.rate * args.seconds
        counted = sum(int(d["count"]) for d in docs)
        print(
            f"load average: {load_average()}; sending took {sent:.1f} s (most behind {late:.2f} s)"
        )
        print(f"CPU: { {k: f'{v:.1f} s' for k, v in used.items()} }")
        print(
            "| cameras × rate × s | posted | accepted | merged alarms | most per (camera, type) "
            "| counts add up | max lag | mean lag |"
        )
        print("|---|---|---|---|---|---|---|---|")
        print(
            f"| {args.cameras} × {args.rate} × {args.seconds} | {posted} "
            f"| {ok} | {len(docs)} | {worst} | {counted == ok} | {max(lags):.2f} s "
            f"| {sum(lags) / len(lags):.2f} s |"
        )


if __name__ == "__main__":
    main()
