"""The retention purge reaches the Parquet history: personal fields are gone from the files."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow.parquet as pq
import redis

from gridwall.access.audit import AuditQuery, read_audit
from gridwall.engine.incident import Incident
from gridwall.history.archive import Archiver
from gridwall.history.housekeeping import Housekeeping
from gridwall.history.personal import HistoryPersonalData
from gridwall.history.retention import PURGE_ACTION
from gridwall.history.store import CLOSED, HistoryStore
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.refdata.registry import Registry
from tests.dashboard.briefing.golden import (
    AS_OF,
    ID_NUMBER,
    NAME,
    PHONE,
    golden_incidents,
    store_in_redis,
)

TZ = ZoneInfo("Asia/Shanghai")


def every_value(folder: Path) -> str:
    """Every value of every column of every Parquet file under the folder, as text."""
    found = []
    for path in sorted(folder.rglob("*.parquet")):
        table = pq.read_table(path)
        for column in table.column_names:
            found.extend(str(v) for v in table[column].to_pylist())
    return "\n".join(found)


def test_purged_personal_fields_are_gone_from_the_files(
    r: redis.Redis, keys: Keys, seeded: Registry, settings: Settings, tmp_path: Path
) -> None:
    incidents = golden_incidents(seeded, count=60)
    store_in_redis(r, keys, incidents)
    store = HistoryStore(tmp_path / "history")
    Archiver(r, keys, store, TZ, live_days=400, retention_days=730,
             personal_days=3650).run(AS_OF)  # fmt: skip
    before = every_value(store.folder)
    assert PHONE in before
    assert ID_NUMBER in before
    assert NAME in before
    snapshots = every_value(store.folder / "open")
    assert PHONE not in snapshots
    assert NAME not in snapshots
    closed = sum(not i.is_open for i in incidents)

    conf = settings.model_copy(
        update={"privacy": settings.privacy.model_copy(update={"retention_days": 1})}
    )
    history = HistoryPersonalData(store, TZ)
    done = Housekeeping(r, keys, conf, TZ, archives=[history]).run_once(AS_OF + timedelta(days=30))
    assert done is not None
    assert done.purge.archives == {"history": closed}

    after = every_value(store.folder)
    assert PHONE not in after
    assert ID_NUMBER not in after
    assert NAME not in after
    for path in store.folder.rglob("*.parquet"):
        assert PHONE.encode() not in path.read_bytes()
    for day in store.days(CLOSED):
        table = store.read(CLOSED, day, "cases")
        assert table is not None
        assert all(table["purged"].to_pylist())
        for doc in table["doc"].to_pylist():
            purged = Incident.model_validate_json(doc)
            assert purged.reporter is None
            assert purged.description == ""
            assert purged.history[-1].action == PURGE_ACTION
            assert "139****5678" in purged.title
    assert sum(len(store.read(CLOSED, d, "cases")) for d in store.days(CLOSED)) == closed  # type: ignore[arg-type]
    entry = read_audit(r, keys, AuditQuery(action="retention-purge"))[0][0]
    assert entry.detail["archives"] == {"history": closed}
    # nothing left to purge the next time
    assert history.purge_personal(AS_OF + timedelta(days=30)) == 0


def test_the_archive_writes_old_documents_purged(
    r: redis.Redis, keys: Keys, seeded: Registry, tmp_path: Path
) -> None:
    incidents = golden_incidents(seeded, count=30)
    store_in_redis(r, keys, incidents)
    store = HistoryStore(tmp_path / "history")
    Archiver(r, keys, store, TZ, live_days=400, retention_days=730,
             personal_days=1).run(AS_OF + timedelta(days=20))  # fmt: skip
    text = every_value(store.folder)
    assert PHONE not in text
    assert NAME not in text
