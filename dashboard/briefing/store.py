"""Generated briefings on disk (``briefing.dir``, default ``<data_dir>/briefings``).

One day, three files: ``<day>.json`` (the ``Briefing``: figures, no personal data; the list
and the page read it), ``<day>.html`` (the self-contained file) and ``<day>.pdf``. Written
whole and renamed into place; kept ``briefing.keep_days`` days.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from pydantic import ValidationError

from dashboard.briefing.model import Briefing

FORMATS = ("html", "pdf")


@dataclass(frozen=True)
class Entry:
    """One stored briefing, for the list."""

    day: date
    generated_at: datetime
    as_of: datetime
    received: int
    on_time_rate: float | None
    overdue: int
    formats: tuple[str, ...]


class BriefingStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, day: date, kind: str) -> Path:
        return self.folder / f"{day.isoformat()}.{kind}"

    def _write(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)

    def save(self, briefing: Briefing) -> None:
        self._write(self.path(briefing.day, "json"), briefing.model_dump_json().encode())

    def save_file(self, day: date, kind: str, data: bytes) -> Path:
        path = self.path(day, kind)
        self._write(path, data)
        return path

    def load(self, day: date) -> Briefing | None:
        path = self.path(day, "json")
        if not path.is_file():
            return None
        try:
            return Briefing.model_validate_json(path.read_bytes())
        except ValidationError:
            return None  # written by another version: generate it again

    def file(self, day: date, kind: str) -> Path | None:
        path = self.path(day, kind)
        return path if path.is_file() else None

    def days(self) -> list[date]:
        found = []
        if self.folder.is_dir():
            for path in self.folder.glob("*.json"):
                with contextlib.suppress(ValueError):
                    found.append(date.fromisoformat(path.stem))
        return sorted(found, reverse=True)

    def entries(self) -> list[Entry]:
        """Stored briefings, newest first."""
        found = []
        for day in self.days():
            briefing = self.load(day)
            if briefing is None:
                continue
            found.append(
                Entry(
                    day=day,
                    generated_at=briefing.generated_at,
                    as_of=briefing.as_of,
                    received=briefing.total.day,
                    on_time_rate=briefing.closure.on_time_rate,
                    overdue=briefing.backlog.overdue,
                    formats=tuple(k for k in FORMATS if self.file(day, k)),
                )
            )
        return found

    def prune(self, first_kept: date) -> int:
        """Delete the briefings of days before ``first_kept``."""
        deleted = 0
        for day in self.days():
            if day < first_kept:
                for kind in ("json", *FORMATS):
                    with contextlib.suppress(FileNotFoundError):
                        self.path(day, kind).unlink()
                deleted += 1
        return deleted
