"""Making a day's briefing: read the history, compute, render HTML and PDF, keep them.

The worker (every morning), ``gridwall briefing`` and the pages (on demand) all go through
``Generator``, so the files are the same wherever they were made.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import redis

from dashboard.briefing.content import Inputs, build
from dashboard.briefing.model import Briefing
from dashboard.briefing.pdf import chromium_path, html_to_pdf
from dashboard.briefing.render import render_html
from dashboard.briefing.store import BriefingStore
from dashboard.history import HistoryReader
from gridwall.history.archive import day_counters
from gridwall.history.store import HistoryStore, history_folder
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.refdata.registry import Registry

Progress = Callable[[str], None]
STEPS = ("history", "figures", "html", "pdf", "saved")


def briefing_folder(settings: Settings) -> Path:
    return settings.briefing.dir or settings.data_dir / "briefings"


def yesterday(tz: ZoneInfo, now: datetime | None = None) -> date:
    return (now or datetime.now(tz)).astimezone(tz).date() - timedelta(days=1)


class NoHistory(LookupError):
    """No snapshot closes the day yet (the nightly archive has not run since)."""


@dataclass
class Generated:
    briefing: Briefing
    files: dict[str, Path] = field(default_factory=dict)
    contents: dict[str, bytes] = field(default_factory=dict)


@dataclass
class Generator:
    settings: Settings
    registry: Callable[[], Registry]
    client: redis.Redis | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    @property
    def history(self) -> HistoryStore:
        return HistoryStore(history_folder(self.settings))

    @property
    def store(self) -> BriefingStore:
        return BriefingStore(briefing_folder(self.settings))

    def counters(self, day: date) -> Mapping[str, int] | None:
        """The day's counters: archived, else still in Redis (None without either)."""
        found = self.history.read_counters(day)
        if found is None and self.client is not None:
            found = day_counters(self.client, Keys(self.settings.county), self.tz, day) or None
        return found

    def available(self, day: date) -> bool:
        return HistoryReader(self.history, self.tz).available(day)

    def build(self, day: date, now: datetime | None = None) -> Briefing:
        """The briefing of ``day`` from the history; ``NoHistory`` when it cannot be made."""
        reader = HistoryReader(self.history, self.tz)
        since = day - timedelta(days=self.settings.briefing.lookback_days)
        frames = reader.frames(day, since)
        if frames is None:
            raise NoHistory(f"no history closes {day.isoformat()} yet")
        return build(
            Inputs(
                day=day,
                frames=frames,
                registry=self.registry(),
                counters=self.counters(day),
                settings=self.settings,
                now=now or datetime.now(self.tz),
            )
        )

    def pdf(self, html: str, lang: str) -> bytes:
        return html_to_pdf(html, lang, chromium_path(self.settings.briefing.chromium))

    def generate(
        self,
        day: date,
        formats: tuple[str, ...],
        *,
        keep: bool = True,
        progress: Progress | None = None,
    ) -> Generated:
        """Build, render and (``keep``) store the briefing of ``day`` in ``formats``."""
        step = progress or (lambda _name: None)
        lang = self.settings.briefing.language
        step("history")
        briefing = self.build(day)
        step("figures")
        done = Generated(briefing)
        html = render_html(briefing, lang)
        step("html")
        data: dict[str, bytes] = {"html": html.encode()}
        if "pdf" in formats:
            data["pdf"] = self.pdf(html, lang)
        step("pdf")
        if keep:
            store = self.store
            store.save(briefing)
            for kind, content in data.items():
                if kind in formats:
                    done.files[kind] = store.save_file(day, kind, content)
        done.contents = {k: v for k, v in data.items() if k in formats}
        step("saved")
        return done
