"""The retention purge for the Parquet history (``gridwall.history.retention.PersonalArchive``).

Only the closed files' ``doc`` column holds personal fields (the flat rows and the snapshots
carry none: no reporter, masked titles). ``purge_personal(closed_before)`` rewrites every day
file that has a case closed before the moment and not purged yet: each such document becomes
``gridwall.history.retention.purge_incident`` of it (reporter gone, narratives emptied, numbers in
titles masked, the purge recorded in its history) and its ``purged`` flag is set. The file is
written whole under a new name and renamed over the old one, so the old values are gone from the
history folder, not just hidden.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc

from gridwall.engine.incident import Incident
from gridwall.history.retention import purge_incident
from gridwall.history.store import CLOSED, HistoryStore


class HistoryPersonalData:
    """Plugs the Parquet history into the worker's retention purge."""

    name = "history"

    def __init__(self, store: HistoryStore, tz: ZoneInfo) -> None:
        self.store = store
        self.tz = tz

    def purge_personal(self, closed_before: datetime) -> int:
        now = datetime.now(self.tz)
        last_day = closed_before.astimezone(self.tz).date() + timedelta(days=1)
        purged = 0
        for day in self.store.days(CLOSED):
            if day > last_day:
                break
            purged += self._purge_day(day, closed_before.timestamp(), now)
        return purged

    def _purge_day(self, day: date, cutoff: float, now: datetime) -> int:
        flags = self.store.read(CLOSED, day, "cases", columns=["closed_at", "purged"])
        if flags is None:
            return 0
        due = pc.and_(pc.less(flags["closed_at"], cutoff), pc.invert(flags["purged"]))
        if not pc.any(due).as_py():
            return 0
        table = self.store.read(CLOSED, day, "cases")
        assert table is not None
        mask = [bool(v) for v in due.to_pylist()]
        docs = table["doc"].to_pylist()
        for i, selected in enumerate(mask):
            if selected and docs[i]:
                incident = Incident.model_validate_json(docs[i])
                docs[i] = purge_incident(incident, now).model_dump_json(exclude_defaults=True)
        flagged = pc.or_(table["purged"], pa.array(mask, pa.bool_()))
        table = table.set_column(
            table.schema.get_field_index("doc"), "doc", pa.array(docs, pa.string())
        )
        table = table.set_column(table.schema.get_field_index("purged"), "purged", flagged)
        self.store.write_table(self.store.path(CLOSED, day, "cases"), table)
        return sum(mask)
