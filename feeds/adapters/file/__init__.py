"""The file adapter (see docs/feeds.md)."""

from __future__ import annotations

from feeds.adapters.base import AdapterKind
from feeds.adapters.file.config import FileSource

KIND = AdapterKind(FileSource)
