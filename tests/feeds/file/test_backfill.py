"""``gridwall backfill``: CSV and XLSX, a per-row error report, resumable, idempotent, with the
historical times kept."""

from __future__ import annotations

import csv
import shutil
from datetime import datetime
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner

from feeds.adapters.file.adapter import Backfill
from feeds.adapters.mapping import FieldMapping
from feeds.sources.sink import FeedSink
from gridwall.cli import cli
from gridwall.engine.incident import Incident
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.refdata.registry import Registry
from gridwall.runtime import Runtime
from tests.feeds.feedkit import HERE, TZ, drain

FIXTURES = HERE / "file" / "fixtures"


@pytest.fixture
def ledger(tmp_path: Path) -> dict[str, Path]:
    for name in ("ledger.csv", "ledger.xlsx", "ledger-gb18030.csv", "ledger-mapping.toml"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    return {p.name: p for p in tmp_path.iterdir()}


def backfill(settings: Settings, *args: str) -> tuple[int, str]:
    env = {"REDIS_URL": settings.redis_url or "", "GRIDWALL_COUNTY": settings.county}
    result = CliRunner().invoke(cli, ["backfill", *args], env=env, catch_exceptions=False)
    return result.exit_code, result.output


def incidents(r: redis.Redis, keys: Keys) -> dict[str, Incident]:
    found = [Incident.model_validate_json(r.get(k)) for k in r.scan_iter(keys.incident_pattern)]
    return {i.source_event_id: i for i in found}


@pytest.mark.parametrize("name", ["ledger.csv", "ledger.xlsx", "ledger-gb18030.csv"])
def test_a_ledger_is_backfilled_with_its_history_and_a_report(
    name: str,
    ledger: dict[str, Path],
    settings: Settings,
    seeded: Registry,
    r: redis.Redis,
    keys: Keys,
) -> None:
    code, output = backfill(
        settings,
        str(ledger[name]),
        "--source",
        "ledger",
        "--mapping",
        str(ledger["ledger-mapping.toml"]),
    )
    assert code == 0, output
    assert "8 rows read (0 already done): 6 accepted, 0 duplicates, 4 refused" in output
    drain(r, settings)
    found = incidents(r, keys)
    assert sorted(found) == ["L-001", "L-002", "L-003", "L-008"]
    assert found["L-001"].reported_at == datetime(2026, 10, 8, 9, 15, tzinfo=TZ)
    assert found["L-002"].status.value == "closed"
    assert found["L-002"].closed_at == datetime(2026, 10, 9, 16, 0, tzinfo=TZ)
    assert found["L-008"].category == "01"
    with (ledger[name].parent / f"{name}.errors.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["row"], row["source_event_id"]) for row in rows] == [
        ("5", "L-004"),
        ("6", "L-005"),
        ("7", "L-006"),
        ("8", "L-007"),
    ]
    reasons = {row["source_event_id"]: row["reason"] for row in rows}
    assert "title" in reasons["L-004"]
    assert reasons["L-005"].startswith("category")
    assert "reported_at" in reasons["L-006"]
    assert "location.lon" in reasons["L-007"]
    assert r.xlen(keys.deadletter) == 0  # a backfill reports to its file, not the stream


def test_a_rerun_is_idempotent_and_resumes(
    ledger: dict[str, Path], settings: Settings, seeded: Registry, r: redis.Redis, keys: Keys
) -> None:
    args = [
        str(ledger["ledger.csv"]),
        "--source",
        "ledger",
        "--mapping",
        str(ledger["ledger-mapping.toml"]),
    ]
    assert backfill(settings, *args)[0] == 0
    code, output = backfill(settings, *args)
    assert "resuming after row 9" in output
    assert "0 rows read (8 already done)" in output
    code, output = backfill(settings, *args, "--restart")
    assert code == 0
    assert "0 accepted, 6 duplicates, 4 refused" in output
    assert r.xlen(keys.inbox) == 6


def test_an_interrupted_run_continues_where_it_stopped(
    ledger: dict[str, Path], settings: Settings, seeded: Registry, r: redis.Redis, keys: Keys
) -> None:
    mapping = FieldMapping.model_validate(
        __import__("tomllib").loads(ledger["ledger-mapping.toml"].read_text(encoding="utf-8"))
    )
    sink = FeedSink(Runtime.create(settings, settings.redis_url or ""))

    def interrupt(handled: int) -> None:
        if handled:
            raise KeyboardInterrupt

    first = Backfill(sink, "ledger", mapping, ledger["ledger.csv"], batch=3)
    with pytest.raises(KeyboardInterrupt):
        first.run(interrupt)
    assert first.done() == 4  # rows 2–4 committed before the interruption
    again = Backfill(sink, "ledger", mapping, ledger["ledger.csv"], batch=3)
    result = again.run()
    assert (result.skipped, result.rows) == (3, 5)
    drain(r, settings)
    assert sorted(incidents(r, keys)) == ["L-001", "L-002", "L-003", "L-008"]


def test_bad_files_and_options_are_one_line_errors(
    ledger: dict[str, Path], settings: Settings, seeded: Registry, tmp_path: Path
) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("x", encoding="utf-8")
    code, output = backfill(settings, str(text), "--source", "ledger")
    assert code != 0
    assert "only .csv and .xlsx" in output
    bad_mapping = tmp_path / "bad.toml"
    bad_mapping.write_text('[fields]\ncolour = "x"\n', encoding="utf-8")
    code, output = backfill(
        settings, str(ledger["ledger.csv"]), "--source", "ledger", "--mapping", str(bad_mapping)
    )
    assert code != 0
    assert "unknown event field(s) colour" in output
    assert "Traceback" not in output
    code, output = backfill(settings, str(ledger["ledger.csv"]), "--source", "Bad Name")
    assert code != 0
    assert "is not a source id" in output
