"""Wall panels: one module each, with ``render`` (first paint) and ``update`` (pushes)."""

from __future__ import annotations

from dashboard.wall.panels import gauge, header, incidents, map
from dashboard.wall.panels.base import Panel

PANELS: dict[str, Panel] = {
    "header": header.PANEL,
    "map": map.PANEL,
    "gauge": gauge.PANEL,
    "incidents": incidents.PANEL,
}
