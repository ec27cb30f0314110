"""The hikvision adapter (see docs/feeds.md)."""

from __future__ import annotations

from feeds.adapters.base import AdapterKind
from feeds.adapters.hikvision.config import HikvisionSource

KIND = AdapterKind(HikvisionSource)
