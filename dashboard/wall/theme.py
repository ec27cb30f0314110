"""Colours and type sizes of the wall.

Dark theme for video walls. Colours avoid red–green pairs (safe for the common colour-vision
deficiencies): states use the Okabe–Ito blue / orange / vermillion with redundant shapes and
words, and the map uses a cividis-like sequential scale.
"""

from __future__ import annotations

from typing import Final

from dashboard.wall.layouts import WallLayout

COLORS: Final = {
    "bg": "#0b1220",
    "panel": "#111a2e",
    "border": "#24324f",
    "text": "#f2f5fa",
    "muted": "#9fb0c8",
    "accent": "#56b4e9",  # sky blue
    "normal": "#0072b2",  # blue
    "warning": "#e69f00",  # orange
    "overdue": "#d55e00",  # vermillion
    "step_ok": "#16324f",
    "step_warn": "#4a3b12",
    "step_alarm": "#5a2a10",
}

#: Map fill for 0 … n open incidents (cividis-like, dark to light).
MAP_SCALE: Final = ("#1b2a44", "#2e4a6b", "#52617a", "#7a7b78", "#a59c74", "#d3bf5f", "#fde737")
#: Map fill for 0 … n overdue incidents (dark to orange: no red-green pair).
OVERDUE_SCALE: Final = ("#1b2a44", "#3d3550", "#6a3f45", "#974c32", "#c25e17", "#e69f00", "#ffd166")

#: Body text is sized for a 55" 1080p screen read at 5 m.
BASE_HEIGHT: Final = 1080


def font_px(layout: WallLayout, px: float) -> int:
    """A type size on this layout's canvas (4K doubles it; the desk layout is denser)."""
    return round(px * layout.density * layout.canvas.height / BASE_HEIGHT)
