"""Wall panels: one module each, named as its type, with ``render`` (first paint) and
``update`` (pushes) in its ``PANEL``. The types are ``dashboard.wall.layouts.PANEL_OPTIONS``."""

from __future__ import annotations

from importlib import import_module

from dashboard.wall.layouts import PANEL_OPTIONS
from dashboard.wall.panels.base import Panel

PANELS: dict[str, Panel] = {
    name: import_module(f"dashboard.wall.panels.{name}").PANEL for name in PANEL_OPTIONS
}
