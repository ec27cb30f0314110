"""``gridwall history seed|archive`` and ``gridwall briefing``: files, a progress bar, one
clear line on every refusal, exports audited."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import redis

from gridwall.access.audit import AuditQuery, read_audit
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.refdata.registry import Registry
from tests.gridwall.test_cli_users import Gw

TZ = ZoneInfo("Asia/Shanghai")


def test_seed_archive_and_write_a_briefing(
    settings: Settings, seeded: Registry, r: redis.Redis, keys: Keys, tmp_path: Path
) -> None:
    gw = Gw(settings)
    made = gw("history", "seed", "--days", "2", "--per-day", "25")
    assert made.exit_code == 0, made.output
    assert "history: 2 days" in made.output
    again = gw("history", "seed", "--days", "2")
    assert again.exit_code == 1
    assert "already holds a history" in again.output
    assert gw("history", "seed", "--quiet-if-present").exit_code == 0
    today = datetime.now(TZ).date()
    day = today - timedelta(days=1)
    out = tmp_path / "out"
    res = gw("briefing", "--date", str(day), "--format", "html", "--out", str(out))
    assert res.exit_code == 0, res.output
    written = out / f"briefing-{day}.html"
    assert written.is_file()
    assert "每日简报" in written.read_text("utf-8")
    assert f"briefing {day}" in res.stderr  # the progress bar's label
    english = gw("briefing", "--lang", "en", "--out", str(tmp_path / "en"))
    assert english.exit_code == 0, english.output
    assert "daily briefing" in (tmp_path / "en" / f"briefing-{day}.html").read_text("utf-8")
    entries, _ = read_audit(r, keys, AuditQuery(action="export"))
    assert {e.target for e in entries} == {f"briefing:{day}"}
    assert all(e.via == "cli" for e in entries)
    archived = gw("history", "archive")
    assert archived.exit_code == 0, archived.output
    assert f"open cases in the snapshot of {day}" in archived.output


def test_refusals_are_one_line(settings: Settings, seeded: Registry, r: redis.Redis) -> None:
    gw = Gw(settings)
    none = gw("briefing", "--date", "2000-01-03")
    assert none.exit_code == 1
    assert "no history closes 2000-01-03 yet" in none.output
    assert "Traceback" not in none.output
    bad = gw("briefing", "--date", "someday")
    assert bad.exit_code == 2
    assert "is not a date" in bad.output
    today = datetime.now(TZ).date()
    early = gw("briefing", "--date", str(today))
    assert early.exit_code == 1
    assert "has not ended yet" in early.output
    archived = gw("briefing", "--date", str(today - timedelta(days=1)), "--archive",
                  "--out", str(settings.data_dir / "x"))  # fmt: skip
    assert archived.exit_code == 0, archived.output  # an empty day, archived first
