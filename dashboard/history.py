"""Reading the Parquet history with pandas: the briefing's and the wall's trends' one reader.

``HistoryReader.frames(day, since)`` gives the case, handling and event frames of
``dashboard.metrics`` as of the snapshot that closes ``day``: the cases closed before the
snapshot's time (closed files from ``since`` on) plus the cases open at that time (the
snapshot). Every figure of the briefing is then computed by ``dashboard.metrics`` over these
frames, as the read API computes them over Redis. When no snapshot was written for ``day``
(the archive did not run that night), the next one is used: the figures are then as of that
later time. ``daily_trend(frames, first, last, ...)`` gives the daily figures for charts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from dashboard import metrics
from gridwall.history.store import CLOSED, OPEN, TABLES, HistoryStore, table_schema


@dataclass(frozen=True)
class Frames:
    """Everything the history knows, as of ``as_of``."""

    cases: pd.DataFrame
    handling: pd.DataFrame
    events: pd.DataFrame
    as_of: datetime
    snapshot_day: date


def _ids(table: pa.Table) -> pa.Array:
    """The case ids of a table as one typed array (also when it has no rows)."""
    return pa.chunked_array(table["id"].chunks, type=pa.string()).combine_chunks()


def _without(cases: pa.Table) -> Any:
    """A row filter leaving out these cases (None when there are none)."""
    if cases.num_rows == 0:
        return None
    return ~ds.field("id").isin(_ids(cases))


def day_period(day: date, tz: ZoneInfo, days: int = 1) -> metrics.Period:
    """The local days ``day`` … ``day + days - 1`` as one period."""
    start = datetime.combine(day, time(0), tz)
    return metrics.Period(start, datetime.combine(day + timedelta(days=days), time(0), tz))


class HistoryReader:
    def __init__(self, store: HistoryStore, tz: ZoneInfo) -> None:
        self.store = store
        self.tz = tz

    def snapshot_for(self, day: date) -> date | None:
        """The first snapshot taken after ``day`` ended (its own, or a later one); None for a
        day before the first snapshot (the history starts with the first nightly archive)."""
        snapshots = self.store.days(OPEN)
        later = [d for d in snapshots if d >= day]
        return later[0] if later and day >= snapshots[0] else None

    def available(self, day: date) -> bool:
        return self.snapshot_for(day) is not None

    def _read(self, kind: str, days: list[date], table: str, row_filter: Any) -> pa.Table:
        paths = [str(self.store.path(kind, d, table)) for d in days]
        paths = [p for p in paths if Path(p).is_file()]
        schema = table_schema(kind, table)
        columns = list(TABLES[table])
        if not paths:
            return pa.Table.from_pylist([], schema=pa.schema([schema.field(c) for c in columns]))
        dataset = ds.dataset(paths, schema=schema, format="parquet")
        return dataset.to_table(columns=columns, filter=row_filter)

    def frames(self, day: date, since: date) -> Frames | None:
        """Cases closed from ``since`` up to the snapshot after ``day``, and that snapshot."""
        snapshot = self.snapshot_for(day)
        if snapshot is None:
            return None
        as_of = self.store.snapshot_as_of(snapshot)
        if as_of is None:
            as_of = datetime.combine(snapshot + timedelta(days=1), time(0), self.tz)
        cutoff = as_of.timestamp()
        last = as_of.astimezone(self.tz).date()
        closed_days = [d for d in self.store.days(CLOSED) if since <= d <= last]
        closed = self._read(CLOSED, closed_days, "cases", ds.field("closed_at") < cutoff)
        # closed after the snapshot: not counted (they were open then; the snapshot has them)
        later = self._read(CLOSED, [d for d in closed_days if d >= last], "cases",
                           ds.field("closed_at") >= cutoff)  # fmt: skip
        opened = self._read(OPEN, [snapshot], "cases", None)
        # a case closed just before the snapshot was taken cannot be in it twice
        since_snapshot_day = datetime.combine(snapshot, time(0), self.tz).timestamp()
        recent = closed.filter(pc.greater_equal(closed["closed_at"], since_snapshot_day))
        twice = pc.is_in(opened["id"], value_set=_ids(recent))
        dropped = opened.filter(twice)
        opened = opened.filter(pc.invert(twice))
        tables = {"cases": pa.concat_tables([closed, opened])}
        for name in ("handling", "events"):
            tables[name] = pa.concat_tables(
                [
                    self._read(CLOSED, closed_days, name, _without(later)),
                    self._read(OPEN, [snapshot], name, _without(dropped)),
                ]
            )
        return Frames(
            cases=tables["cases"].to_pandas(),
            handling=tables["handling"].to_pandas(),
            events=tables["events"].to_pandas(),
            as_of=as_of,
            snapshot_day=snapshot,
        )


def daily_trend(
    frames: Frames, first: date, last: date, tz: ZoneInfo, min_sample: int
) -> list[dict[str, Any]]:
    """Daily case figures (受理, 办结, 应结案, 结案率, 按期结案率 ...) from ``first`` to ``last``
    (inclusive), for the briefing's and the wall's trends."""
    period = day_period(first, tz, (last - first).days + 1)
    return metrics.period_table(
        frames.cases, frames.events, period, "day", tz, min_sample=min_sample
    )
