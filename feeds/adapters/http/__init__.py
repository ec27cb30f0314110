"""The http adapter (see docs/feeds.md)."""

from __future__ import annotations

from feeds.adapters.base import AdapterKind
from feeds.adapters.http.config import HttpSource

KIND = AdapterKind(HttpSource)
