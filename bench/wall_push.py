"""Push payloads and the browser's memory under a steady load of events.

A private Redis with the generated county (1,000 grids) and 5,000 open incidents,
``gridwall serve`` and ``gridwall worker`` as separate processes, and a steady load of
``--rate`` events a second (half new reports, half closures of the oldest open incidents, so
the backlog stays level). Debian's Chromium shows the wall at its real size.

* ``payload``: every websocket frame the wall receives during ``--seconds`` of load, after the
  first render (CDP ``Network.webSocketFrameReceived`` in Dash's shared worker, which holds the
  socket: ``bench.wallkit.FrameCounter``): average, median, p95 and largest frame, frames and
  bytes a second. The baseline of the same run is the first render's frame (the whole screen
  at once): what a push would cost if it resent everything.
* ``heap``: the JS heap after a forced garbage collection (CDP ``HeapProfiler.collectGarbage``,
  then ``Runtime.getHeapUsage`` and ``Performance.getMetrics``: heap, DOM nodes, listeners;
  the length of Dash's undo history, which wall.js keeps short, and the wall server's RSS)
  every ``--every`` seconds for ``--minutes``, each when the screen next shows its first
  rotation page; growth is the last sample against the first (taken after one minute of
  load), the mean of the last three against the first three, and the least-squares trend over
  the run (also with the DOM node count held fixed: what the panels show varies by sample),
  and the median of the first third against the last third at the page's usual DOM size (the
  heap saws up and down by a few MB between forced collections, so single samples mislead).

    .venv/bin/python -m bench.wall_push payload [--layout desk] [--seconds 60] [--rate 50]
    .venv/bin/python -m bench.wall_push heap [--layout desk] [--minutes 30] [--rate 50]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from playwright.sync_api import Page, sync_playwright

from bench.harness import load_average
from bench.wallkit import FILLED_PROBE, FrameCounter, SteadyLoad, Wall, load_incidents, wall_stack

SIZES = {"desk": (1920, 1080), "single-4k": (3840, 2160)}


def percentile(values: list[int], p: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def open_wall(page: Page, wall: Wall, layout: str) -> None:
    page.goto(f"{wall.base}/wall/{layout}?token={wall.token}")
    page.wait_for_function("() => window.__filledAt", timeout=60_000, polling=100)


def payload(wall: Wall, layout: str, seconds: float, rate: float) -> str:
    size = SIZES.get(layout.split("/", maxsplit=1)[0], (1920, 1080))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        counter = FrameCounter(browser)
        context = browser.new_context(viewport={"width": size[0], "height": size[1]})
        context.add_init_script(FILLED_PROBE)
        page = context.new_page()
        open_wall(page, wall, layout)
        page.wait_for_timeout(3_000)  # the first render and a heartbeat: the baseline
        first = max(n for _t, n in counter.frames)
        start = time.monotonic()
        with SteadyLoad(wall.client, wall.registry, rate) as load:
            page.wait_for_timeout(seconds * 1000)  # (events are dispatched while waiting)
            sent = load.sent
        pushed = [n for t, n in counter.frames if t >= start]
        browser.close()
    avg = statistics.mean(pushed)
    rate_s, median, p95 = len(pushed) / seconds, statistics.median(pushed), percentile(pushed, 95)
    kbs = sum(pushed) / seconds / 1024
    header = (
        "| page | frames/s | average bytes | median | p95 | largest | KB/s "
        "| first render frame bytes | average / first render |"
    )
    row = (
        f"| {layout} | {rate_s:.1f} | {avg:,.0f} | {median:,.0f} | {p95:,} | {max(pushed):,} "
        f"| {kbs:.1f} | {first:,} | {avg / first:.3f} |"
    )
    lines = [f"load average {load_average()}; {sent} events in {seconds:.0f} s", header]
    return "\n".join([*lines, "|---|---|---|---|---|---|---|---|---|", row])


#: True when the screen shows its first rotation page (or has no rotation): every sample is
#: taken on the same page, so the rotation's own DOM does not pass for growth.
FIRST_PAGE = """() => { const s = document.querySelector(".gw-screen");
  return !!s && (!s.dataset.rotate || s.dataset.page === "0"); }"""


def rss_mb(pid: int | None) -> float:
    """Resident memory of a process (MB), from /proc; 0 when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except (OSError, TypeError):
        return 0.0
    kb = next((line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return int(kb) / 1024


def heap_sample(page: Page, cdp: Any, server_pid: int | None = None) -> dict[str, float]:
    page.wait_for_function(FIRST_PAGE, timeout=600_000, polling=500)
    page.wait_for_timeout(2_000)  # the page's pushes since it came round
    cdp.send("HeapProfiler.collectGarbage")
    usage = cdp.send("Runtime.getHeapUsage")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return {
        "used": usage["usedSize"],
        "total": usage["totalSize"],
        "nodes": metrics.get("Nodes", 0),
        "listeners": metrics.get("JSEventListeners", 0),
        # Dash's undo history, which wall.js keeps short (it grew for as long as the wall ran)
        "history": page.evaluate("() => window.gridwall.historyLength()"),
        # the wall server's side of running for weeks: its push hub, open set and sockets
        "server": rss_mb(server_pid),
    }


def heap_trend(
    rows: list[tuple[float, dict[str, float], int]], minutes: float
) -> tuple[float, float]:
    """Growth over ``minutes`` from a least-squares fit of the heap on time, as a percentage of
    the fitted start; and the same with the page's DOM node count as a second regressor, so what
    the panels happen to show at a sample (a longer list, more clusters) does not pass for a leak.
    """
    t = np.array([m for m, _s, _n in rows])
    used = np.array([s["used"] for _m, s, _n in rows])
    nodes = np.array([s["nodes"] for _m, s, _n in rows])
    ones = np.ones_like(t)
    (b0, b1), *_ = np.linalg.lstsq(np.column_stack([ones, t]), used, rcond=None)
    (c0, c1, c2), *_ = np.linalg.lstsq(np.column_stack([ones, t, nodes]), used, rcond=None)
    start_nodes = c0 + c2 * nodes.mean()
    return float(b1 * minutes / b0 * 100), float(c1 * minutes / start_nodes * 100)


def heap_thirds(rows: list[tuple[float, dict[str, float], int]]) -> tuple[float, float, int]:
    """The median heap of the first and of the last third of the run, over the samples taken
    at the page's usual size (DOM node count within 5 % of the size most samples share; NaN
    for a third without such a sample): robust to the
    phase of the heap's sawtooth and to what a sample happens to show. Returns both medians
    (MB) and the node count they stand for."""
    sizes = [s["nodes"] for _m, s, _n in rows]

    def near(a: float, b: float) -> bool:
        return abs(a - b) <= 0.05 * b

    # the usual size: the one most samples are near (the page swings between a few sizes)
    nodes = max(sizes, key=lambda n: sum(near(other, n) for other in sizes))
    usual = [(m, s["used"] / 1e6) for m, s, _n in rows if near(s["nodes"], nodes)]
    end = rows[-1][0]
    first = [u for m, u in usual if m <= end / 3]
    last = [u for m, u in usual if m >= end * 2 / 3]
    nan = float("nan")
    return (
        statistics.median(first) if first else nan,
        statistics.median(last) if last else nan,
        round(nodes),
    )


def heap(wall: Wall, layout: str, minutes: float, every: float, rate: float) -> str:
    size = SIZES.get(layout.split("/", maxsplit=1)[0], (1920, 1080))
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": size[0], "height": size[1]})
        context.add_init_script(FILLED_PROBE)
        page = context.new_page()
        open_wall(page, wall, layout)
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        with SteadyLoad(wall.client, wall.registry, rate) as load:
            page.wait_for_timeout(60_000)  # warm up: every panel patched a few hundred times
            start = time.monotonic()
            pid = wall.server.pid if wall.server else None
            first = heap_sample(page, cdp, pid)
            rows.append((0.0, first, load.sent))
            while time.monotonic() - start < minutes * 60:
                page.wait_for_timeout(every * 1000)
                rows.append(
                    ((time.monotonic() - start) / 60, heap_sample(page, cdp, pid), load.sent)
                )
        browser.close()
    last = rows[-1][1]
    lines = [
        f"load average {load_average()}; {rows[-1][2]:,} events at {rate:.0f}/s",
        "| minute | JS heap used (MB) | heap total (MB) | DOM nodes | listeners | Dash history "
        "| server RSS (MB) |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [f"| {m:.0f} | {s['used'] / 1e6:.2f} | {s['total'] / 1e6:.2f} | {s['nodes']:.0f} | "
              f"{s['listeners']:.0f} | {s['history']:.0f} | {s['server']:.0f} |"
              for m, s, _n in rows]  # fmt: skip
    growth = (last["used"] - first["used"]) / first["used"] * 100
    ends = [statistics.mean(s["used"] for _m, s, _n in part) for part in (rows[:3], rows[-3:])]
    trend, trend_nodes = heap_trend(rows, minutes)
    early, late, usual = heap_thirds(rows)
    lines.append(
        f"\nAt the usual page size (~{usual} DOM nodes), median of the first third {early:.2f} MB, "
        f"of the last third {late:.2f} MB: {(late - early) / early * 100:+.1f} %."
    )
    lines.append(
        f"\nHeap growth over {minutes:.0f} min: {growth:+.1f} % last sample against the first, "
        f"{(ends[1] - ends[0]) / ends[0] * 100:+.1f} % mean of the last three against the first "
        f"three; least-squares trend {trend:+.1f} % (heap ~ time), {trend_nodes:+.1f} % with the "
        "DOM node count held fixed (heap ~ time + nodes); target ≤ 10 %. The wall server's "
        f"RSS: {first['server']:.0f} MB at the first sample, {last['server']:.0f} MB at the last."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["payload", "heap"])
    parser.add_argument("--layout", default="desk")
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--every", type=float, default=60.0)
    parser.add_argument("--grids", type=int, default=1_000)
    parser.add_argument("--incidents", type=int, default=5_000)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="gw-wall-push-") as tmp,
        wall_stack(Path(tmp), args.grids, worker=True) as wall,
    ):
        wall.stop_server()
        load_incidents(wall.client, wall.registry, args.incidents)
        wall.start_server()
        if args.what == "payload":
            print(payload(wall, args.layout, args.seconds, args.rate))
        else:
            print(heap(wall, args.layout, args.minutes, args.every, args.rate))


if __name__ == "__main__":
    main()
