"""Images kept on disk: alarm snapshots and photos uploaded with events.

Files live under ``<data_dir>/<kind>/<YYYYMMDD>/<32 hex>.<ext>`` and are referred to by
``<YYYYMMDD>/<name>`` (served by the read API). The type is decided by the bytes (magic numbers),
never by what the sender claims; sizes are capped; the folder is bounded by a budget in MiB:
past it, the oldest days are removed first (checked at most once a minute per process).
"""

from __future__ import annotations

import re
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from gridwall.contract.refusal import PayloadError

_MAGIC = ((b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"))
_REF = re.compile(r"^([0-9]{8})/([0-9a-f]{32}\.(?:jpg|png|webp))$")
MIME = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def image_type(data: bytes) -> str | None:
    """``jpg``, ``png`` or ``webp`` from the first bytes, else None."""
    for magic, ext in _MAGIC:
        if data.startswith(magic):
            return ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


@dataclass
class MediaStore:
    root: Path
    max_bytes: int
    budget_bytes: int
    prune_every_s: float = 60.0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _last_prune: float = 0.0

    def save(self, data: bytes, day: datetime, *, allowed: tuple[str, ...] = ("jpg",)) -> str:
        """Store an image; returns its reference ``YYYYMMDD/name``. Raises PayloadError."""
        if len(data) > self.max_bytes:
            raise PayloadError(f"image larger than {self.max_bytes} bytes", "image")
        ext = image_type(data)
        if ext is None or ext not in allowed:
            raise PayloadError(f"image type not accepted (allowed: {', '.join(allowed)})", "image")
        folder = self.root / day.strftime("%Y%m%d")
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{uuid.uuid4().hex}.{ext}"
        (folder / name).write_bytes(data)
        self._maybe_prune()
        return f"{folder.name}/{name}"

    def path(self, ref: str) -> Path | None:
        """The file of a reference, or None for anything that is not one (no traversal)."""
        match = _REF.match(ref)
        if match is None:
            return None
        found = self.root / match.group(1) / match.group(2)
        return found if found.is_file() else None

    def _maybe_prune(self) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._last_prune < self.prune_every_s:
                return
            self._last_prune = now
        self.prune()

    def prune(self) -> int:
        """Remove the oldest day folders while over budget; returns how many were removed."""
        days = sorted(p for p in self.root.glob("[0-9]" * 8) if p.is_dir())
        sizes = {d: sum(f.stat().st_size for f in d.iterdir() if f.is_file()) for d in days}
        total = sum(sizes.values())
        removed = 0
        for day in days[:-1]:  # whole days first, oldest first
            if total <= self.budget_bytes:
                return removed
            shutil.rmtree(day, ignore_errors=True)
            total -= sizes[day]
            removed += 1
        if total > self.budget_bytes and days:  # the newest day alone is over: oldest files
            files = sorted((f for f in days[-1].iterdir() if f.is_file()), key=_mtime)
            for item in files:
                if total <= self.budget_bytes:
                    break
                total -= item.stat().st_size
                item.unlink(missing_ok=True)
                removed += 1
        return removed


def _mtime(path: Path) -> float:
    return path.stat().st_mtime
