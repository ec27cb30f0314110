"""Wall layouts as data: the schema of the files in ``layouts/`` and their loader.

A wall is a canvas of one or more screens; each screen is a grid of panels with options.
Errors name the file and the path of the bad value, so an operator editing a layout file sees
what to fix.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

PanelType = Literal["header", "map", "gauge", "incidents"]
LAYOUT_SUFFIXES = (".toml", ".yaml", ".yml")


class LayoutError(ValueError):
    """A layout file is missing or invalid; the message says where."""


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PanelSpec(Spec):
    type: PanelType
    id: str | None = Field(None, pattern=r"^[a-z][a-z0-9-]{0,31}$")
    col: int = Field(ge=1, description="First grid column (1-based).")
    row: int = Field(ge=1, description="First grid row (1-based).")
    width: int = Field(1, ge=1)
    height: int = Field(1, ge=1)
    title: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)


class ScreenSpec(Spec):
    columns: int = Field(12, ge=1, le=48)
    rows: int = Field(8, ge=1, le=48)
    panels: list[PanelSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _fits(self) -> ScreenSpec:
        for index, panel in enumerate(self.panels):
            if panel.col + panel.width - 1 > self.columns:
                raise ValueError(f"panels[{index}] ({panel.type}) is wider than the screen")
            if panel.row + panel.height - 1 > self.rows:
                raise ValueError(f"panels[{index}] ({panel.type}) is taller than the screen")
        ids = [p.id for p in self.panels if p.id]
        if len(ids) != len(set(ids)):
            raise ValueError("panel ids must be unique on a screen")
        return self

    def panel_ids(self) -> list[str]:
        """Each panel's id: its own, else ``<type>-<index>``."""
        return [p.id or f"{p.type}-{i}" for i, p in enumerate(self.panels)]


class Canvas(Spec):
    width: int = Field(1920, ge=640, le=15360)
    height: int = Field(1080, ge=360, le=8640)


class WallLayout(Spec):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")
    title: str = ""
    canvas: Canvas = Field(default_factory=Canvas)
    #: Type size scale: 1.0 is sized for a 55" 1080p screen read at 5 m.
    density: float = Field(1.0, gt=0.3, le=3.0)
    screens: list[ScreenSpec] = Field(min_length=1)


def _folder(layouts_dir: Path | None) -> Path:
    if layouts_dir is not None:
        return layouts_dir
    return Path(str(resources.files("layouts")))


def layout_files(layouts_dir: Path | None = None) -> dict[str, Path]:
    folder = _folder(layouts_dir)
    return {
        p.stem: p for p in sorted(folder.iterdir()) if p.suffix in LAYOUT_SUFFIXES and p.is_file()
    }


def parse_layout(path: Path) -> WallLayout:
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise LayoutError(f"{path.name}: not valid {path.suffix[1:].upper()}: {exc}") from exc
    if not isinstance(data, dict):
        raise LayoutError(f"{path.name}: a layout is a table of settings")
    data.setdefault("name", path.stem)
    try:
        layout = WallLayout.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'layout'}: {e['msg']}" for e in exc.errors()
        )
        raise LayoutError(f"{path.name}: {problems}") from exc
    if layout.name != path.stem:
        raise LayoutError(f"{path.name}: name {layout.name!r} differs from the file name")
    return layout


@cache
def _cached(path: Path, mtime: float) -> WallLayout:
    return parse_layout(path)


def load_layout(name: str, layouts_dir: Path | None = None) -> WallLayout:
    """The layout called ``name`` (re-read when its file changes)."""
    files = layout_files(layouts_dir)
    path = files.get(name)
    if path is None:
        raise LayoutError(f"no layout named {name!r} (have: {', '.join(files) or 'none'})")
    return _cached(path, path.stat().st_mtime)
