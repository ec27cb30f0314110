"""Housekeeping in the worker: the retention purge and the audit archiving, hourly.

Several workers may run; a Redis lock (``lock:housekeeping``) lets one of them do it per round.
The audit archive files are written on the host of the worker that holds the lock, under
``audit.archive_dir`` (default ``<data_dir>/audit``): point it at shared storage when workers
run on several hosts.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import redis

from gridwall.access.audit import ArchiveResult, AuditAction, archive_audit, audit
from gridwall.history.retention import PersonalArchive, PurgeResult, purge_personal
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings

log = logging.getLogger(__name__)


def archive_folder(settings: Settings) -> Path:
    return settings.audit.archive_dir or settings.data_dir / "audit"


@dataclass(frozen=True)
class Round:
    purge: PurgeResult
    archive: ArchiveResult


class Housekeeping:
    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        settings: Settings,
        tz: ZoneInfo,
        archives: Sequence[PersonalArchive] = (),
    ) -> None:
        self.client = client
        self.keys = keys
        self.settings = settings
        self.tz = tz
        self.archives = archives
        self.name = f"{socket.gethostname()}-{os.getpid()}"

    def run_once(self, now: datetime | None = None) -> Round | None:
        """One round if this process gets the lock, else None."""
        interval = self.settings.privacy.purge_interval_s
        if not self.client.set(self.keys.housekeeping_lock, self.name, nx=True, ex=interval):
            return None
        now = now or datetime.now(self.tz)
        purge = purge_personal(
            self.client,
            self.keys,
            self.settings.privacy.retention_days,
            now,
            archives=self.archives,
        )
        archive = archive_audit(
            self.client,
            self.keys,
            archive_folder(self.settings),
            hot_days=self.settings.audit.hot_days,
            retention_days=self.settings.audit.retention_days,
            now=now,
        )
        if archive.archived or archive.files_deleted:
            log.info(
                "audit: %d entries archived, %d expired files deleted",
                archive.archived,
                archive.files_deleted,
            )
            audit(
                self.client,
                self.keys,
                AuditAction.AUDIT_ARCHIVED,
                actor="system:housekeeping",
                via="system",
                detail={"archived": archive.archived, "files_deleted": archive.files_deleted},
            )
        return Round(purge=purge, archive=archive)

    def run(self, stop: threading.Event) -> None:
        """Run a round every ``privacy.purge_interval_s`` until ``stop`` is set."""
        while not stop.is_set():
            try:
                self.run_once()
            except redis.ConnectionError as exc:
                log.warning("housekeeping: redis unavailable (%s); retrying", exc)
            stop.wait(self.settings.privacy.purge_interval_s)
