"""Wall compositions as data: one TOML or YAML file per wall (schema: dashboard.wall.layouts).

``layout_files`` lists the walls of a folder by name (the shipped ones by default); the sign-in
page offers them, the wall loads them.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

LAYOUT_SUFFIXES = (".toml", ".yaml", ".yml")


def layout_files(layouts_dir: Path | None = None) -> dict[str, Path]:
    """Every layout file of ``layouts_dir`` (default: the shipped layouts) by its name."""
    folder = layouts_dir if layouts_dir is not None else Path(str(resources.files("layouts")))
    return {
        p.stem: p for p in sorted(folder.iterdir()) if p.suffix in LAYOUT_SUFFIXES and p.is_file()
    }
