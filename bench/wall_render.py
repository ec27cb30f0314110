"""First render of the wall until every panel is filled, on small and large counties.

For each scale (1,000 grids with 5,000 open incidents; 10,000 grids with 50,000), a private
Redis gets the generated county, ``gridwall serve`` runs as its own process, and Debian's
Chromium opens each shipped layout at its real size (desk 1920×1080, single-4k 3840×2160,
county-3x2's six 1920×1080 screens) through a kiosk link. Time = ``performance.now()`` at the
first animation frame where ``window.gridwall.filled()`` holds (text in every panel, every
chart drawn, the map's areas drawn), measured from navigation start. Each page is loaded
``--loads`` times in a fresh browser context (an empty cache: a kiosk after a restart) and
once more by reload (the cache warm). The baseline of the same run is the same county with no
incident at all, so the ratio says what the backlog costs.

    .venv/bin/python -m bench.wall_render [--scale small|large|both] [--loads 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from bench.harness import load_average
from bench.wallkit import FILLED_PROBE, Wall, load_incidents, wall_stack

SCALES = {"small": (1_000, 5_000), "large": (10_000, 50_000)}
PAGES = [("desk", "desk", (1920, 1080)), ("single-4k", "single-4k", (3840, 2160))] + [
    (f"county-3x2/{n}", f"county-3x2/screen/{n}", (1920, 1080)) for n in range(1, 7)
]


def first_render(browser: Browser, wall: Wall, path: str, size: tuple[int, int]) -> list[float]:
    """Milliseconds to every panel filled: fresh contexts, then one reload."""
    found = []
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    context.add_init_script(FILLED_PROBE)
    page = context.new_page()
    page.goto(f"{wall.base}/wall/{path}?token={wall.token}")  # the kiosk session
    page.wait_for_function("() => window.__filledAt", timeout=60_000, polling=100)
    found.append(page.evaluate("window.__filledAt"))
    page.reload()
    page.wait_for_function("() => window.__filledAt", timeout=60_000, polling=100)
    found.append(page.evaluate("window.__filledAt"))
    context.close()
    return found


def measure(wall: Wall, loads: int) -> dict[str, tuple[list[float], float]]:
    """Per page: cold first renders (ms) and the warm reload (ms)."""
    results: dict[str, tuple[list[float], float]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        first_render(browser, wall, "desk", (1920, 1080))  # the server's first visitor
        for name, path, size in PAGES:
            cold, warm = [], 0.0
            for _ in range(loads):
                first, again = first_render(browser, wall, path, size)
                cold.append(first)
                warm = again
            results[name] = (cold, warm)
        browser.close()
    return results


def run_scale(scale: str, loads: int) -> list[str]:
    grids, count = SCALES[scale]
    rows = []
    with (
        tempfile.TemporaryDirectory(prefix="gw-wall-render-") as tmp,
        wall_stack(Path(tmp), grids) as wall,
    ):
        empty = measure(wall, loads)
        wall.stop_server()  # the next server's push hub starts with the backlog in Redis
        seconds = load_incidents(wall.client, wall.registry, count)
        print(f"{scale}: {count:,} incidents loaded in {seconds:.0f} s", flush=True)
        started = time.monotonic()
        wall.start_server()
        print(f"{scale}: server up in {time.monotonic() - started:.1f} s", flush=True)
        full = measure(wall, loads)
    for name, (cold, warm) in full.items():
        base = statistics.median(empty[name][0])
        median = statistics.median(cold)
        rows.append(
            f"| {grids:,} / {count:,} | {name} | {median:.0f} | {max(cold):.0f} | {warm:.0f} | "
            f"{base:.0f} | {median / base:.2f} |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=["small", "large", "both"], default="both")
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    scales = ["small", "large"] if args.scale == "both" else [args.scale]
    print("| grids / open incidents | page | median ms | max ms | warm reload ms | "
          "empty county ms | ratio |")  # fmt: skip
    print("|---|---|---|---|---|---|---|", flush=True)
    for scale in scales:
        print("\n".join(run_scale(scale, args.loads)), flush=True)
    print(f"\nload average {load_average()}")


if __name__ == "__main__":
    main()
