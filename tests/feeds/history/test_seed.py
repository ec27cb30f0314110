"""The demo's simulated history: real lifecycles, every day's snapshot, a briefing at once."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import redis

from dashboard.briefing.generate import Generator
from gridwall.engine.cases.rules import Rules, default_rules
from gridwall.engine.incident import Incident
from gridwall.history.store import CLOSED, OPEN, HistoryStore, history_folder
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.refdata.registry import Registry
from gridwall.sim.seed import restore_day_stats, seed_history

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 27)


def test_a_simulated_history_reads_like_a_real_one(seeded: Registry, settings: Settings) -> None:
    store = HistoryStore(history_folder(settings))
    rules = Rules(default_rules().book, seeded)
    result = seed_history(seeded, rules, store, tz=TZ, today=TODAY, days=4, per_day=40, seed=3)
    assert result.cases >= 100
    assert result.closed > 0
    assert result.open_at_end > 0
    assert not store.seeding
    days = [TODAY - timedelta(days=k) for k in range(4, 0, -1)]
    assert store.days(OPEN) == days
    for day in days:
        assert store.snapshot_as_of(day) == datetime.combine(day + timedelta(1), time(0), TZ)
        counters = store.read_counters(day)
        assert counters is not None
        assert counters["alarms:received"] > 0
    ids: list[str] = []
    for day in store.days(CLOSED):
        table = store.read(CLOSED, day, "cases")
        assert table is not None
        ids += table["id"].to_pylist()
        for doc in table["doc"].to_pylist()[:5]:
            incident = Incident.model_validate_json(doc)
            assert incident.closed_at is not None
            assert incident.history[0].action == "report"
    last = store.read(OPEN, days[-1], "cases")
    assert last is not None
    assert len(last) == result.open_at_end
    ids += last["id"].to_pylist()
    assert len(ids) == len(set(ids)) == result.cases
    briefing = Generator(settings, lambda: seeded).build(days[-1])
    assert briefing.total.day > 0
    assert briefing.alarms is not None
    assert {c.key for c in briefing.sources} >= {"gridapp", "hotline"}
    assert briefing.quality.without_location > 0


def test_a_history_needs_a_day(seeded: Registry, settings: Settings) -> None:
    store = HistoryStore(history_folder(settings))
    with pytest.raises(ValueError, match="at least one day"):
        seed_history(seeded, Rules(default_rules().book, seeded), store, tz=TZ, today=TODAY,
                     days=0, per_day=10, seed=1)  # fmt: skip


def test_the_seeded_intake_reaches_the_walls_trend(
    seeded: Registry, settings: Settings, r: redis.Redis, keys: Keys
) -> None:
    """The days of a simulated history count their intake as the processor does, and the demo
    adds the last week's to Redis's daily stats (the wall's 7-day average)."""
    store = HistoryStore(history_folder(settings))
    rules = Rules(default_rules().book, seeded)
    seed_history(seeded, rules, store, tz=TZ, today=TODAY, days=3, per_day=30, seed=4)
    assert restore_day_stats(r, keys, store, TODAY) == 3
    for back in (1, 2, 3):
        day = TODAY - timedelta(days=back)
        counters = store.read_counters(day) or {}
        stats = {
            k.decode(): int(v) for k, v in r.hgetall(keys.daily_stats(f"{day:%Y%m%d}")).items()
        }
        assert stats["received"] == counters["received"] > 0
        hours = sum(v for k, v in stats.items() if k.startswith("received:h"))
        categories = sum(v for k, v in stats.items() if k.startswith("received:cat:"))
        assert hours == categories == stats["received"]
        assert "alarms:received" not in stats  # the alarm counters stay in the history
