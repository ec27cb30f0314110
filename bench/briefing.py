"""The daily briefing of one day over a 30-day history of 1,000,000 incidents.

    .venv/bin/python bench/briefing.py [--cases 1000000] [--days 30] [--dir /tmp/gw-bench-briefing]
                                       [--reuse] [--pdf] [--repeat 3]

Writes a synthetic history in the real layout (``gridwall.history.store``: closed files per day
with the full documents, the snapshot of the open cases after the last day, the day's counters)
for the demo county: cases reported over ``--days`` days with the day's rhythm, closed after a
realistic handling time or still open, lead and co-handling stages, send-backs and reworks,
documents of realistic size (templates made by the real lifecycle, ids replaced). Then, best of
``--repeat``, in the same run:

* baseline: a plain pyarrow read of the same files the briefing reads (every case column of
  the closed days in its look-back and of the snapshot, the handling and event tables), with
  nothing computed;
* the briefing: ``Generator.build`` (history read with pandas, every figure by
  ``dashboard.metrics``, the map) plus ``render_html`` — what ``gridwall briefing --format
  html`` does but writing the file;
* with ``--pdf``: Chromium printing that HTML to the A4 PDF (once).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import shutil
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from dashboard.briefing.generate import Generator
from dashboard.briefing.render import render_html
from gridwall.engine.cases.rules import Rules, default_rules
from gridwall.history.store import CLOSED, OPEN, TABLES, HistoryStore, table_schema
from gridwall.platform.settings import load_settings
from gridwall.refdata.model import Level
from gridwall.refdata.registry import Registry
from gridwall.sim.county import generate_county
from gridwall.sim.seed import seed_history

TZ = ZoneInfo("Asia/Shanghai")
HOURLY = np.array([0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.5, 0.9, 1.4, 1.8, 1.9, 1.6,
                   1.0, 1.1, 1.6, 1.8, 1.7, 1.4, 1.0, 0.8, 0.6, 0.45, 0.3, 0.2])  # fmt: skip
SOURCES = np.array(["gridapp", "hotline", "platform", "video", "wechat"])


def _templates(registry: Registry, folder: Path) -> list[str]:
    """Documents made by the real lifecycle (a short simulated history), id as a placeholder."""
    store = HistoryStore(folder)
    rules = Rules(default_rules().book, registry)
    seed_history(registry, rules, store, tz=TZ, today=date(2026, 11, 1), days=3, per_day=40,
                 seed=5)  # fmt: skip
    docs = []
    for day in store.days(CLOSED):
        table = store.read(CLOSED, day, "cases", columns=["id", "doc"])
        assert table is not None
        for case_id, doc in zip(table["id"].to_pylist(), table["doc"].to_pylist(), strict=True):
            docs.append(doc.replace(case_id, "{ID}"))
    shutil.rmtree(folder)
    return docs


def synthesize(registry: Registry, cases: int, days: int, last: date, seed: int) -> dict:
    """Column arrays of every case, handling stage and counted event."""
    rng = np.random.default_rng(seed)
    start = datetime.combine(last - timedelta(days=days - 1), datetime.min.time(), TZ).timestamp()
    day_of = rng.integers(0, days, cases)
    hour = rng.choice(24, cases, p=HOURLY / HOURLY.sum())
    reported = start + day_of * 86400 + hour * 3600 + rng.uniform(0, 3600, cases)
    order = np.argsort(reported)
    reported = reported[order]
    grids = [a for a in registry.by_level(Level.GRID)]
    hot = rng.pareto(1.6, len(grids)) + 1
    g = rng.choice(len(grids), cases, p=hot / hot.sum())
    paths = [registry.path(a.code) for a in grids]
    categories = sorted(c for c, v in registry.categories.items() if v.parent)
    leads = sorted(registry.departments)
    as_of = start + days * 86400 + 1800
    handling = rng.lognormal(np.log(2.5 * 86400), 0.8, cases)
    closed_at = reported + handling
    is_open = closed_at >= as_of
    due = reported + rng.uniform(1, 9, cases) * 86400
    on_time = (closed_at <= due) & ~is_open
    cols = {
        "id": [
            f"320115-{datetime.fromtimestamp(t, TZ):%Y%m%d}-{n:07d}" for n, t in enumerate(reported)
        ],
        "source": SOURCES[rng.choice(5, cases, p=[0.56, 0.22, 0.08, 0.1, 0.04])],
        "category": np.array(categories)[rng.integers(0, len(categories), cases)],
        "grid": np.array([a.code for a in grids])[g],
        "street": np.array([p.street or "" for p in paths])[g],
        "community": np.array([p.community or "" for p in paths])[g],
        "lead": np.array(leads)[rng.integers(0, len(leads), cases)],
        "reported": reported,
        "received": reported + np.where(rng.random(cases) < 0.02, 1.5 * 86400, 60.0),
        "closed_at": np.where(is_open, np.nan, closed_at),
        "due": due,
        "open": is_open,
        "on_time": on_time,
        "overdue": is_open & (due < as_of),
        "near": is_open & (due >= as_of) & (rng.random(cases) < 0.3),
        "has_location": rng.random(cases) > 0.1,
    }
    cols["source_event_id"] = np.where(cols["source"] == "video", "alarm:x", "s")
    return {"cols": cols, "as_of": as_of, "rng": rng}


def case_table(
    c: dict, idx: np.ndarray, kind: str, docs: list[str], rng: np.random.Generator
) -> pa.Table:
    n = len(idx)
    nan = np.full(n, np.nan)
    closed = ~c["open"][idx]
    data = {
        "id": [c["id"][i] for i in idx], "source": c["source"][idx],
        "source_event_id": c["source_event_id"][idx], "category": c["category"][idx],
        "urgency": np.full(n, "normal"), "status": np.where(closed, "closed", "handling"),
        "level": np.full(n, "community"), "street": c["street"][idx],
        "community": c["community"][idx], "grid": c["grid"][idx], "lead": c["lead"][idx],
        "title": np.full(n, "井盖缺失"), "has_location": c["has_location"][idx],
        "lon": nan, "lat": nan, "open": c["open"][idx], "closed": closed,
        "on_time": c["on_time"][idx], "reported": c["reported"][idx],
        "received": c["received"][idx], "closed_at": c["closed_at"][idx],
        "updated": c["reported"][idx], "due": c["due"][idx],
        "response_s": rng.uniform(60, 1800, n), "response_end": c["reported"][idx] + 900,
        "dispatch_s": rng.uniform(300, 7200, n), "dispatch_end": c["reported"][idx] + 3600,
        "handling_s": np.where(closed, rng.uniform(3600, 4e5, n), np.nan),
        "handling_end": np.where(closed, c["closed_at"][idx] - 3600, np.nan),
        "overdue": c["overdue"][idx], "near": c["near"][idx],
        "overdue_since": np.where(c["overdue"][idx], c["due"][idx], np.nan),
        "overdue_stage": np.where(c["overdue"][idx], "handle", ""),
    }  # fmt: skip
    if kind == CLOSED:
        data["doc"] = [docs[i % len(docs)].replace("{ID}", c["id"][i]) for i in idx]
        data["purged"] = np.zeros(n, dtype=bool)
    return pa.Table.from_pydict(data, schema=table_schema(kind, "cases"))


def side_tables(c: dict, idx: np.ndarray, rng: np.random.Generator) -> tuple[pa.Table, pa.Table]:
    co = idx[rng.random(len(idx)) < 0.2]
    rows = np.concatenate([idx, co])
    m = len(rows)
    handling = pa.Table.from_pydict({
        "id": [c["id"][i] for i in rows], "department": c["lead"][rows[::-1]],
        "role": ["lead"] * len(idx) + ["co"] * len(co), "due": c["due"][rows],
        "closed": ~c["open"][rows], "on_time": c["on_time"][rows],
        "handling_s": rng.uniform(3600, 4e5, m), "handling_end": c["reported"][rows] + 86400,
        "open": c["open"][rows], "overdue": c["overdue"][rows], "near": c["near"][rows],
    }, schema=table_schema(CLOSED, "handling"))  # fmt: skip
    ev = idx[rng.random(len(idx)) < 0.1]
    events = pa.Table.from_pydict({
        "id": [c["id"][i] for i in ev],
        "kind": np.array(["send_backs", "reworks", "extensions"])[rng.integers(0, 3, len(ev))],
        "at": c["reported"][ev] + 7200, "department": c["lead"][ev], "role": ["lead"] * len(ev),
        "category": c["category"][ev], "source": c["source"][ev], "street": c["street"][ev],
        "community": c["community"][ev], "grid": c["grid"][ev],
    }, schema=table_schema(CLOSED, "events"))  # fmt: skip
    return handling, events


def write_history(
    store: HistoryStore, registry: Registry, cases: int, days: int, last: date
) -> None:
    made = synthesize(registry, cases, days, last, seed=1)
    c, rng = made["cols"], made["rng"]
    docs = _templates(registry, store.folder.parent / "templates")
    closed_day = np.array(
        [datetime.fromtimestamp(t, TZ).date() if t == t else None for t in c["closed_at"]]
    )
    for day in sorted({d for d in closed_day if d is not None}):
        idx = np.nonzero(closed_day == day)[0]
        handling, events = side_tables(c, idx, rng)
        for name, table in (("cases", case_table(c, idx, CLOSED, docs, rng)),
                            ("handling", handling), ("events", events)):  # fmt: skip
            store.write_table(store.path(CLOSED, day, name), table)
    idx = np.nonzero(c["open"])[0]
    handling, events = side_tables(c, idx, rng)
    meta = {b"as_of": datetime.fromtimestamp(made["as_of"], TZ).isoformat().encode()}
    for name, table in (("cases", case_table(c, idx, OPEN, docs, rng)),
                        ("handling", handling.cast(table_schema(OPEN, "handling"))),
                        ("events", events.cast(table_schema(OPEN, "events")))):  # fmt: skip
        store.write_table(store.path(OPEN, last, name), table.replace_schema_metadata(meta))
    cams = sorted(registry.cameras)[:40]
    counters = {f"alarms:cam:{k}": 900 - 20 * i for i, k in enumerate(cams)}
    store.write_counters(last, {"alarms:received": 48_000, "alarms:new": 7_100, **counters})


def baseline(store: HistoryStore, last: date, lookback: int) -> int:
    """Plain pyarrow: read what the briefing reads, compute nothing."""
    rows = 0
    for kind, days in ((CLOSED, store.days(CLOSED)), (OPEN, [last])):
        for day in days:
            if day < last - timedelta(days=lookback):
                continue
            for name in TABLES:
                table = pq.read_table(store.path(kind, day, name), columns=list(TABLES[name]))
                rows += table.num_rows
    return rows


def best(fn, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/gw-bench-briefing"))
    parser.add_argument("--reuse", action="store_true", help="Keep a history already written.")
    parser.add_argument("--pdf", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    registry = generate_county("320115", "演示区", seed=20261127)
    last = date(2026, 11, 26)
    settings = load_settings(overrides={"data_dir": args.dir, "redis_url": "redis://unused"})
    store = HistoryStore(args.dir / "history")
    if not (args.reuse and store.days(OPEN)):
        shutil.rmtree(args.dir, ignore_errors=True)
        started = time.perf_counter()
        write_history(store, registry, args.cases, args.days, last)
        print(f"history written in {time.perf_counter() - started:.1f} s")
    size = sum(p.stat().st_size for p in store.folder.rglob("*.parquet"))
    print(f"history: {args.cases:,} cases over {args.days} days, {size / 1e6:.0f} MB of Parquet")
    generator = Generator(settings, lambda: registry)
    lookback = settings.briefing.lookback_days
    base_s, rows = best(lambda: baseline(store, last, lookback), args.repeat)
    html_s, html = best(lambda: render_html(generator.build(last)), args.repeat)
    assert isinstance(html, str)
    briefing = generator.build(last)
    print(f"machine: {platform.machine()}, {platform.python_version()}, "
          f"pyarrow {pa.__version__}, pandas {__import__('pandas').__version__}")  # fmt: skip
    print(f"baseline: plain pyarrow read of {rows:,} rows: {base_s:.2f} s")
    print(
        f"briefing (HTML, {len(html) / 1e3:.0f} kB; {briefing.total.day:,} received on "
        f"{last}, backlog {briefing.backlog.open:,}): {html_s:.2f} s "
        f"= {html_s / base_s:.1f}× the plain read; target 5 s"
    )
    if args.pdf:
        started = time.perf_counter()
        pdf = generator.pdf(html, "zh-CN")
        print(f"PDF ({len(pdf) / 1e3:.0f} kB): {time.perf_counter() - started:.2f} s more")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB")
    print(json.dumps({"baseline_s": round(base_s, 3), "html_s": round(html_s, 3)}))


if __name__ == "__main__":
    random.seed(1)
    main()
