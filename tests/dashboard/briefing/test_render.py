"""The rendered briefing: self-contained, masked, and every number of its narrative stands in
a cell of one of its tables."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
import redis

from dashboard.briefing.generate import Generator, NoHistory
from dashboard.briefing.model import Briefing
from dashboard.briefing.render import render_html
from gridwall.history.archive import Archiver
from gridwall.history.store import HistoryStore, history_folder
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.refdata.registry import Registry
from tests.dashboard.briefing.golden import DAY, NAME, TZ
from tests.dashboard.briefing.parse import parse, personal_leaks, untraceable

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//|url\(|@import|<script|<link""")


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_number_of_the_narrative_is_in_a_table(briefing: Briefing, lang: str) -> None:
    page = parse(render_html(briefing, lang))
    assert len(page.figs) > 30
    assert not untraceable(page)
    assert len(page.cells) == 12
    total = page.cells["sources"]["total:day"]
    assert total == str(briefing.total.day)
    assert ("全区受理事件" if lang == "zh-CN" else "cases received") in page.summary
    assert f"{briefing.closure.on_time_rate * 100:.1f}%" in page.summary  # type: ignore[operator]


def test_the_file_is_self_contained_and_masked(briefing: Briefing) -> None:
    html = render_html(briefing)
    assert not EXTERNAL.search(html)
    assert "<svg" in html
    assert not personal_leaks(html, (NAME,))
    assert "139****5678" in html  # the number typed into titles, masked


def test_no_alarm_data_says_so(briefing: Briefing) -> None:
    html = render_html(briefing.model_copy(update={"alarms": None}))
    page = parse(html)
    assert "暂无视频告警数据" in page.summary
    assert [k for k in page.cells["alarms"] if not k.startswith("head:")] == []
    assert "暂无视频告警数据（视频告警接入后显示）" in html
    assert not untraceable(page)


def test_an_empty_day_renders(
    settings: Settings, r: redis.Redis, keys: Keys, seeded: Registry
) -> None:
    store = HistoryStore(history_folder(settings))
    now = datetime.combine(DAY + timedelta(days=1), time(0, 30), TZ)
    Archiver(r, keys, store, TZ, live_days=35, retention_days=730, personal_days=180).run(now)
    generator = Generator(settings, lambda: seeded, r)
    empty = generator.build(DAY, now=now)
    assert empty.total.day == 0
    assert empty.alarms is None
    assert empty.closure.close_rate is None
    page = parse(render_html(empty))
    assert not untraceable(page)
    with pytest.raises(NoHistory):
        generator.build(DAY - timedelta(days=1))  # before the first archive
    with pytest.raises(NoHistory):
        generator.build(date(2027, 1, 1))  # no snapshot closes it yet
