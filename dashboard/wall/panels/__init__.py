"""Wall panels: one module each, with ``render`` (first paint) and ``update`` (pushes)."""

from __future__ import annotations

from dashboard.wall.panels import (
    alarms,
    backlog,
    categories,
    departments,
    header,
    health,
    incidents,
    map,
    ticker,
    trend,
)
from dashboard.wall.panels.base import Panel

PANELS: dict[str, Panel] = {
    "header": header.PANEL,
    "map": map.PANEL,
    "backlog": backlog.PANEL,
    "departments": departments.PANEL,
    "alarms": alarms.PANEL,
    "incidents": incidents.PANEL,
    "trend": trend.PANEL,
    "categories": categories.PANEL,
    "ticker": ticker.PANEL,
    "health": health.PANEL,
}
