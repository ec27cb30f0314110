"""The worker's daily jobs: the nightly archive and the morning briefing.

Every ``CHECK_S`` the worker asks ``due_jobs`` (pure) what is owed for yesterday: the archive
once ``history.archive_time`` has passed and yesterday has no snapshot yet, the briefing once
``briefing.time`` has passed and yesterday's briefing is missing (it needs the archive). So a
worker started late, or after a night down, catches up at once. Several workers may run: a
Redis lock (``lock:daily:<job>``) lets one of them do each job. A failed job is logged and
tried again after ``RETRY_S``. Generated briefings older than ``briefing.keep_days`` are
deleted after each new one.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import redis

from dashboard.briefing.generate import Generator, NoHistory, yesterday
from dashboard.briefing.pdf import PdfError
from gridwall.history.archive import Archiver
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings

log = logging.getLogger(__name__)

CHECK_S = 30.0
RETRY_S = 600.0
LOCK_S = 1800


def parse_clock(text: str) -> clock_time:
    hours, minutes = text.split(":")
    return clock_time(int(hours), int(minutes))


def due_jobs(
    now: datetime, archive_at: clock_time, briefing_at: clock_time, *, archived: bool, briefed: bool
) -> list[str]:
    """The jobs owed for yesterday at local time ``now``, in order."""
    jobs = []
    if not archived and now.time() >= archive_at:
        jobs.append("archive")
    if not briefed and now.time() >= briefing_at and (archived or jobs):
        jobs.append("briefing")
    return jobs


@dataclass
class DailyJobs:
    client: redis.Redis
    keys: Keys
    settings: Settings
    archiver: Archiver
    generator: Generator
    name: str = field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")
    failed: dict[str, float] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    def owed(self, now: datetime) -> list[str]:
        if self.archiver.store.seeding:
            return []  # a simulated history is being written (the demo's first start)
        day = yesterday(self.tz, now)
        store = self.generator.store
        briefed = store.load(day) is not None and all(
            store.file(day, kind) for kind in self.settings.briefing.formats
        )
        return due_jobs(
            now.astimezone(self.tz),
            parse_clock(self.settings.history.archive_time),
            parse_clock(self.settings.briefing.time),
            archived=self.archiver.store.snapshot_as_of(day) is not None,
            briefed=briefed,
        )

    def run_once(self, now: datetime | None = None) -> list[str]:
        """Run what is owed (and not failing lately); returns the jobs done."""
        now = now or datetime.now(self.tz)
        done = []
        for job in self.owed(now):
            if time.monotonic() < self.failed.get(job, 0):
                continue
            lock = self.keys.daily_lock(job)
            if not self.client.set(lock, self.name, nx=True, ex=LOCK_S):
                continue
            try:
                self._run(job, now)
                done.append(job)
                self.failed.pop(job, None)
            except (NoHistory, PdfError, OSError, redis.RedisError) as exc:
                log.warning("daily %s failed (%s); trying again in %.0f s", job, exc, RETRY_S)
                self.failed[job] = time.monotonic() + RETRY_S
            except Exception:  # a bug must not stop the processor beside it
                log.exception("daily %s failed; trying again in %.0f s", job, RETRY_S)
                self.failed[job] = time.monotonic() + RETRY_S
            finally:
                if self.client.get(lock) == self.name.encode():
                    self.client.delete(lock)
        return done

    def _run(self, job: str, now: datetime) -> None:
        if job == "archive":
            self.archiver.run(now)
            return
        day = yesterday(self.tz, now)
        made = self.generator.generate(day, tuple(self.settings.briefing.formats))
        kept_from = day - timedelta(days=self.settings.briefing.keep_days)
        deleted = self.generator.store.prune(kept_from)
        log.info("briefing of %s written (%s); %d old ones deleted", day,
                 ", ".join(str(p) for p in made.files.values()), deleted)  # fmt: skip

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.run_once()
            except redis.ConnectionError as exc:
                log.warning("daily jobs: redis unavailable (%s); retrying", exc)
            stop.wait(CHECK_S)
