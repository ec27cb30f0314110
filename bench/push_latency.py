"""Latency from POST /api/v1/events to the title appearing in the wall's DOM.

Runs a Redis server, `gridwall serve` and `gridwall worker` as separate processes (as in
production), opens two tabs in Debian's Chromium: the pushed wall (/wall/desk) and a 1-second
polling page (same origin, fetching /api/v1/incidents/recent every second and rendering the
titles). Reports carry the current time (an old report would be overdue at once and the SLA
clock's warnings would add changes of their own). A MutationObserver in each tab records
`performance.timeOrigin + performance.now()` when a title first appears. Events are posted one
at a time, 0.4-0.6 s apart (so each push is a leading edge, not held back by the 250 ms
coalescing window), and latency = DOM time - time just before the POST.

    .venv/bin/python bench/push_latency.py [--events 200] [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx2 as httpx
import redis
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gridwall.access.roles import Principal, Role, TokenStore  # noqa: E402
from gridwall.platform.keys import Keys  # noqa: E402
from gridwall.platform.redisconn import free_port, redis_server_binary  # noqa: E402
from gridwall.refdata.registry import store_registry  # noqa: E402
from gridwall.sim.county import generate_county  # noqa: E402

OBSERVER = """
window.__seen = {};
new MutationObserver(() => {
  const t = performance.timeOrigin + performance.now();
  for (const el of document.querySelectorAll('.gw-row-title, .poll-title')) {
    const k = el.textContent;
    if (k && !(k in window.__seen)) window.__seen[k] = t;
  }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""

POLL_PAGE = """<!doctype html><meta charset="utf-8"><title>poll</title><ul id="l"></ul>
<script>
const token = %s;
async function tick() {
  try {
    const r = await fetch('/api/v1/incidents/recent?limit=20',
                          {headers: {Authorization: 'Bearer ' + token}});
    const items = await r.json();
    document.getElementById('l').innerHTML = items.map(
      i => '<li class="poll-title">' + i.title.replace(/</g, '&lt;') + '</li>').join('');
  } catch (e) {}
}
setInterval(tick, 1000); tick();
</script>"""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def wait_healthy(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not become healthy")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--layout", default="desk", help="wall layout to measure")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="gw-bench-"))
    redis_port, http_port = free_port(), free_port()
    url = f"redis://127.0.0.1:{redis_port}/0"
    procs = [
        subprocess.Popen(
            [redis_server_binary(), "--port", str(redis_port), "--save", "", "--dir", str(tmp)],
            stdout=subprocess.DEVNULL,
        )
    ]
    time.sleep(0.5)
    client = redis.Redis.from_url(url)
    keys = Keys("320115")
    store_registry(client, keys, generate_county("320115", "演示区", 1))
    tokens = TokenStore(client, keys)
    token = tokens.issue(Principal(name="bench", role=Role.ADMIN))
    wall_token = tokens.issue(Principal(name="bench-wall", role=Role.WALL, layout=args.layout))
    env = {**os.environ, "REDIS_URL": url, "GRIDWALL_HTTP__PORT": str(http_port)}
    for command in (["worker"], ["serve"]):
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "gridwall", *command],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    base = f"http://127.0.0.1:{http_port}"
    headers = {"Authorization": f"Bearer {token}"}
    try:
        wait_healthy(base)
        push_ms, poll_ms = run(base, token, wall_token, headers, args.events, args.layout)
    finally:
        for proc in reversed(procs):
            proc.terminate()
            proc.wait(10)
    report(push_ms, poll_ms, args.events, args.out)


def run(
    base: str, token: str, wall_token: str, headers: dict[str, str], count: int, layout: str
) -> tuple[list[float], list[float]]:
    rng = random.Random(1)
    sent: dict[str, float] = {}
    with sync_playwright() as p, httpx.Client(headers=headers) as http:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        context.add_init_script(OBSERVER)
        wall = context.new_page()
        wall.goto(f"{base}/wall/{layout}?token={wall_token}")  # the kiosk link
        wall.wait_for_selector(".gw-screen", timeout=30_000)
        poll = context.new_page()
        poll.route(
            f"{base}/bench/poll.html",
            lambda route: route.fulfill(
                body=POLL_PAGE % json.dumps(token), content_type="text/html"
            ),
        )
        poll.goto(f"{base}/bench/poll.html")
        time.sleep(2)
        for n in range(count):
            title = f"延迟测试 {n:04d}"
            body = {
                "source": "bench",
                "source_event_id": f"bench-{time.time_ns()}-{n}",
                "category": "01",
                "location": {"lon": 118.8, "lat": 31.93},
                "reported_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "title": title,
            }
            sent[title] = time.time() * 1000
            res = http.post(f"{base}/api/v1/events", json=body)
            res.raise_for_status()
            time.sleep(rng.uniform(0.4, 0.6))
        time.sleep(2.5)
        seen_wall = wall.evaluate("window.__seen")
        seen_poll = poll.evaluate("window.__seen")
        browser.close()
    push_ms = [seen_wall[t] - s for t, s in sent.items() if t in seen_wall]
    poll_ms = [seen_poll[t] - s for t, s in sent.items() if t in seen_poll]
    return push_ms, poll_ms


def report(push_ms: list[float], poll_ms: list[float], count: int, out: Path | None) -> None:
    rows = []
    for name, values in (("push (websocket)", push_ms), ("1 s polling baseline", poll_ms)):
        rows.append(
            f"| {name} | {len(values)}/{count} | {statistics.median(values):.1f} | "
            f"{percentile(values, 90):.1f} | {percentile(values, 99):.1f} | {max(values):.1f} |"
        )
    ratio = statistics.median(poll_ms) / statistics.median(push_ms)
    text = "\n".join(
        [
            "| transport | seen | p50 ms | p90 ms | p99 ms | max ms |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            f"Median latency ratio polling / push: {ratio:.1f}×.",
        ]
    )
    print(text)
    if out is not None:
        stamp = time.strftime("%Y-%m-%d %H:%M")
        with out.open("a", encoding="utf-8") as handle:
            handle.write(f"\nRun of {stamp} ({os.cpu_count()} cores):\n\n{text}\n")


if __name__ == "__main__":
    main()
