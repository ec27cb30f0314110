"""How long a wall server's push hub takes to load the open incidents when it starts.

Until the open set is loaded a screen opened on that server waits, so this is the wall's
start-up time after a restart with a large backlog. A private Redis gets a generated county and
``--open`` open incidents through the real intake and processor (``bench.wallkit``); then, in
this process, the phases of ``SnapshotBuilder.load`` are timed one by one, ``--repeat`` times:

* ``ids``: the open index (``ZRANGE``);
* ``read``: the incident documents (``MGET`` in chunks);
* ``parse``: documents to summaries (``gridwall.engine.incident.summaries_of``: only the
  fields a summary reads are decoded);
* ``parse-whole``: the same summaries from whole documents (``Incident.model_validate_json``,
  as the hub did before ``IncidentView``), for comparison: it is not part of ``load``;
* ``index``: summaries to the open set (``OpenSet``);
* ``load``: the whole ``SnapshotBuilder.load`` as the server runs it (including its thread hop).

The baselines of the same run are ``read``: the bytes have to come from Redis whatever the code
does with them; ``load / read`` is what the rest costs; and ``parse-whole`` for ``parse``.

    .venv/bin/python -m bench.hub_load [--open 50000] [--grids 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import redis

from bench.harness import COUNTY, load_average, private_redis
from bench.wallkit import load_incidents
from dashboard.queries import Queries
from dashboard.wall.openset import OpenSet
from dashboard.wall.snapshot import SnapshotBuilder
from gridwall.engine.incident import Incident, summaries_of, summary
from gridwall.platform.keys import Keys
from gridwall.platform.settings import load_settings
from gridwall.refdata.registry import store_registry
from gridwall.runtime import Runtime
from gridwall.sim.county import generate_county

PHASES = ("ids", "read", "parse", "parse-whole", "index", "load")


async def measure(rt: Runtime) -> dict[str, float]:
    q = Queries(rt)
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    ids = await q.open_ids()
    t1 = time.perf_counter()
    docs = await q.documents(ids)
    t2 = time.perf_counter()
    summaries = summaries_of(docs)
    t3 = time.perf_counter()
    OpenSet(summaries)
    t4 = time.perf_counter()
    whole = [summary(Incident.model_validate_json(d)) for d in docs]
    times["parse-whole"] = time.perf_counter() - t4
    assert whole == summaries, "the view's summaries differ from the whole documents'"
    times.update(ids=t1 - t0, read=t2 - t1, parse=t3 - t2, index=t4 - t3)
    builder = SnapshotBuilder(q, recent=rt.settings.wall.recent_incidents)
    t5 = time.perf_counter()
    await builder.load()
    times["load"] = time.perf_counter() - t5
    assert len(builder.open_set) == len(ids), "the open set lost incidents"
    return times


def run(open_count: int, grids: int, repeat: int) -> str:
    with tempfile.TemporaryDirectory() as tmp, private_redis(Path(tmp)) as (url, _pid):
        client = redis.Redis.from_url(url)
        keys = Keys(COUNTY)
        registry = generate_county(COUNTY, "演示区", 1, grids=grids)
        store_registry(client, keys, registry)
        seconds = load_incidents(client, registry, open_count)
        found = client.zcard(keys.open_index)
        print(f"{found:,} open incidents loaded into Redis in {seconds:.0f} s", flush=True)
        rt = Runtime.create(load_settings(overrides={"county": COUNTY}), url)

        async def rounds() -> list[dict[str, float]]:
            try:
                return [await measure(rt) for _ in range(repeat)]
            finally:
                await rt.aclose()

        results = asyncio.run(rounds())
    lines = [
        f"{found:,} open incidents, {grids:,} grids; load average {load_average()}",
        "| phase | median s | min s | µs per incident | ratio to read |",
        "|---|---|---|---|---|",
    ]
    read = statistics.median(r["read"] for r in results)
    for phase in PHASES:
        values = [r[phase] for r in results]
        median = statistics.median(values)
        lines.append(
            f"| {phase} | {median:.2f} | {min(values):.2f} | {median / found * 1e6:.0f} | "
            f"{median / read:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=50_000, dest="open_count")
    parser.add_argument("--grids", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(run(args.open_count, args.grids, args.repeat))


if __name__ == "__main__":
    main()
