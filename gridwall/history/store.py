"""The Parquet history on disk: one folder per day, three tables per folder.

```
<history.dir>/closed/<YYYY-MM-DD>/cases.parquet     cases closed that day (local time): the flat
                                   handling.parquet  case row, the whole document (``doc``,
                                   events.parquet    personal fields until the retention purge)
<history.dir>/open/<YYYY-MM-DD>/...                 the nightly snapshot of the open cases after
                                                    that day ended (flat rows only; ``as_of``
                                                    in the files' metadata)
<history.dir>/days/<YYYY-MM-DD>.json                that day's counters (intake statistics,
                                                    video alarms, dead letters)
```

Rows are ``gridwall.history.rows``; every file is written whole to a temporary name, flushed to
disk and renamed over the old one, so a reader sees the old file or the new one, never half a
file, and a purge leaves nothing of the old values behind in the live file.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from gridwall.history.rows import CASE_COLUMNS, EVENT_COLUMNS, HANDLING_COLUMNS
from gridwall.platform.settings import Settings

CLOSED, OPEN = "closed", "open"
KINDS = (CLOSED, OPEN)
#: Table name → its columns. Closed cases add ``DOC_COLUMNS``.
TABLES: dict[str, dict[str, pa.DataType]] = {
    "cases": CASE_COLUMNS,
    "handling": HANDLING_COLUMNS,
    "events": EVENT_COLUMNS,
}
DOC_COLUMNS: dict[str, pa.DataType] = {"doc": pa.string(), "purged": pa.bool_()}
AS_OF = b"as_of"
SEEDING_STALE_S = 900


def history_folder(settings: Settings) -> Path:
    """``history.dir``, or ``<data_dir>/history``."""
    return settings.history.dir or settings.data_dir / "history"


def table_schema(kind: str, table: str) -> pa.Schema:
    columns = dict(TABLES[table])
    if kind == CLOSED and table == "cases":
        columns.update(DOC_COLUMNS)
    return pa.schema(list(columns.items()))


@dataclass
class DayRows:
    """Rows of one day's three tables, to be written."""

    cases: list[dict[str, Any]] = field(default_factory=list)
    handling: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    def table(self, name: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = getattr(self, name)
        return rows

    @property
    def ids(self) -> set[str]:
        return {row["id"] for row in self.cases}


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class HistoryStore:
    """Reads and writes the day folders under one history folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    # -- where -----------------------------------------------------------------------------
    def day_dir(self, kind: str, day: date) -> Path:
        return self.folder / kind / day.isoformat()

    def path(self, kind: str, day: date, table: str) -> Path:
        return self.day_dir(kind, day) / f"{table}.parquet"

    def counters_path(self, day: date) -> Path:
        return self.folder / "days" / f"{day.isoformat()}.json"

    def days(self, kind: str) -> list[date]:
        """Days that have a folder of this kind (``closed`` or ``open``), oldest first."""
        found = []
        base = self.folder / kind
        if not base.is_dir():
            return []
        for entry in base.iterdir():
            with contextlib.suppress(ValueError):
                if (entry / "cases.parquet").is_file():
                    found.append(date.fromisoformat(entry.name))
        return sorted(found)

    def empty(self) -> bool:
        return not self.days(CLOSED) and not self.days(OPEN)

    # -- a simulated history being written ------------------------------------------------------
    @property
    def _seeding_marker(self) -> Path:
        return self.folder / ".seeding"

    def mark_seeding(self) -> None:
        """A simulated history is being written: the daily jobs wait (see ``seeding``)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._seeding_marker.write_text(str(os.getpid()), "utf-8")

    def clear_seeding(self) -> None:
        self._seeding_marker.unlink(missing_ok=True)

    @property
    def seeding(self) -> bool:
        """True while a simulated history is being written (a marker younger than
        ``SEEDING_STALE_S``: one left by a crash stops counting after that)."""
        try:
            age = time.time() - self._seeding_marker.stat().st_mtime
        except FileNotFoundError:
            return False
        return age < SEEDING_STALE_S

    # -- writing ---------------------------------------------------------------------------
    def write_table(self, path: Path, table: pa.Table) -> None:
        """Write a whole file atomically (temporary file, fsync, rename, fsync the folder)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        pq.write_table(table, tmp, compression="zstd")
        with tmp.open("rb+") as handle:
            os.fsync(handle.fileno())
        tmp.replace(path)
        _fsync_dir(path.parent)

    def _tables(
        self, kind: str, rows: DayRows, metadata: Mapping[bytes, bytes] | None = None
    ) -> dict[str, pa.Table]:
        found = {}
        for name in TABLES:
            schema = table_schema(kind, name)
            if metadata:
                schema = schema.with_metadata(metadata)
            found[name] = pa.Table.from_pylist(rows.table(name), schema=schema)
        return found

    def write_snapshot(self, day: date, as_of: datetime, rows: DayRows) -> None:
        """The open cases after ``day`` ended, as of ``as_of`` (replaces an earlier one)."""
        meta = {AS_OF: as_of.isoformat().encode()}
        for name, table in self._tables(OPEN, rows, meta).items():
            self.write_table(self.path(OPEN, day, name), table)

    def upsert_closed(self, day: date, rows: DayRows, remove: Iterable[str] = ()) -> None:
        """Add or replace the rows of these cases in a day's closed files; drop ``remove``."""
        drop = pa.array(sorted(rows.ids | set(remove)), type=pa.string())
        for name, added in self._tables(CLOSED, rows).items():
            old = self.read(CLOSED, day, name)
            table = added
            if old is not None:
                kept = old.filter(pc.invert(pc.is_in(old["id"], value_set=drop)))
                table = pa.concat_tables([kept.cast(added.schema), added])
            self.write_table(self.path(CLOSED, day, name), table)

    def write_counters(self, day: date, counters: Mapping[str, int]) -> None:
        path = self.counters_path(day)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(dict(counters), ensure_ascii=False, sort_keys=True), "utf-8")
        tmp.replace(path)

    # -- reading ---------------------------------------------------------------------------
    def read(
        self, kind: str, day: date, table: str, columns: Sequence[str] | None = None
    ) -> pa.Table | None:
        path = self.path(kind, day, table)
        if not path.is_file():
            return None
        return pq.read_table(path, columns=list(columns) if columns is not None else None)

    def snapshot_as_of(self, day: date) -> datetime | None:
        path = self.path(OPEN, day, "cases")
        if not path.is_file():
            return None
        meta = pq.read_schema(path).metadata or {}
        raw = meta.get(AS_OF)
        return datetime.fromisoformat(raw.decode()) if raw else None

    def read_counters(self, day: date) -> dict[str, int] | None:
        path = self.counters_path(day)
        if not path.is_file():
            return None
        data: dict[str, int] = json.loads(path.read_text("utf-8"))
        return data

    # -- retention ---------------------------------------------------------------------------
    def delete_before(self, first_kept: date) -> int:
        """Delete every day folder (and counters file) of a day before ``first_kept``."""
        deleted = 0
        for kind in KINDS:
            for day in self.days(kind):
                if day < first_kept:
                    shutil.rmtree(self.day_dir(kind, day))
                    deleted += 1
        folder = self.folder / "days"
        if folder.is_dir():
            for path in folder.glob("*.json"):
                with contextlib.suppress(ValueError):
                    if date.fromisoformat(path.stem) < first_kept:
                        path.unlink()
        return deleted
