"""Wall layouts as data: the schema of the files in ``layouts/`` and their loader.

A wall is a canvas of one or more screens; each screen is a grid of panels with options.
Errors name the file and the path of the bad value, so an operator editing a layout file sees
what to fix.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from layouts import layout_files


class LayoutError(ValueError):
    """A layout file is missing or invalid; the message says where."""


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


#: A text a layout shows: one string, or one per language of the wall
#: (``title = { zh-CN = "值班台", en = "Duty desk" }``).
Text = str | dict[Literal["zh-CN", "en"], str]


def local(text: Text | None, language: str) -> str | None:
    """``text`` in ``language``, else in the other language (a wall never shows nothing)."""
    if text is None or isinstance(text, str):
        return text
    shown = [value for key, value in text.items() if key == language] or list(text.values())
    return shown[0] if shown else None


# -- panel options: each panel type's own, strict -----------------------------------------------
class HeaderOptions(Spec):
    compact: bool = Field(default=False, description="Only the screen's title and the status.")


class MapOptions(Spec):
    color_by: Literal["backlog", "overdue"] = Field("backlog", description="Area colours.")
    markers: bool = Field(default=True, description="Incident markers (clustered).")
    cameras: bool = Field(default=True, description="Cameras, online and offline.")
    video: bool = Field(default=True, description="Recent video alarms (new ones flash).")
    labels: bool = Field(default=True, description="Area names and counts on the map.")


class BacklogOptions(Spec):
    county: bool = Field(default=True, description="The county's three gauges.")
    streets: int = Field(30, ge=0, le=60, description="Most street rows (worst first).")


class DepartmentsOptions(Spec):
    rows: int = Field(10, ge=1, le=40)


class AlarmsOptions(Spec):
    rows: int = Field(8, ge=1, le=60)
    max_priority: int = Field(4, ge=1, le=4, description="Show items of this priority or above.")
    chime: bool = Field(default=True, description="This screen chimes for new top alarms.")


class IncidentsOptions(Spec):
    rows: int | None = Field(None, ge=1, le=100, description="Default: wall.recent_incidents.")


class TrendOptions(Spec):
    pass


class CategoriesOptions(Spec):
    top: int = Field(8, ge=1, le=20, description="Categories shown (the rest summed up).")


class TickerOptions(Spec):
    items: int = Field(6, ge=1, le=20)


class HealthOptions(Spec):
    sources: int = Field(8, ge=0, le=30, description="Most source rows (worst first).")


#: Every panel type and its options: the one list of panel types (``dashboard.wall.panels``
#: finds each type's module by its name).
PANEL_OPTIONS: dict[str, type[Spec]] = {
    "header": HeaderOptions,
    "map": MapOptions,
    "backlog": BacklogOptions,
    "departments": DepartmentsOptions,
    "alarms": AlarmsOptions,
    "incidents": IncidentsOptions,
    "trend": TrendOptions,
    "categories": CategoriesOptions,
    "ticker": TickerOptions,
    "health": HealthOptions,
}


class PanelSpec(Spec):
    type: str = Field(description="A panel type: a key of PANEL_OPTIONS.")
    id: str | None = Field(None, pattern=r"^[a-z][a-z0-9-]{0,31}$")
    col: int = Field(ge=1, description="First grid column (1-based).")
    row: int = Field(ge=1, description="First grid row (1-based).")
    width: int = Field(1, ge=1)
    height: int = Field(1, ge=1)
    title: Text | None = None
    options: dict[str, Any] = Field(default_factory=dict)

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in PANEL_OPTIONS:
            known = ", ".join(repr(name) for name in PANEL_OPTIONS)
            raise ValueError(f"unknown panel type {value!r} (one of {known})")
        return value

    @model_validator(mode="after")
    def _options(self) -> PanelSpec:
        try:
            PANEL_OPTIONS[self.type].model_validate(self.options)
        except ValidationError as exc:
            raise ValueError(
                "; ".join(
                    f"options.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                    for e in exc.errors()
                )
            ) from None
        return self

    @property
    def opts(self) -> Any:
        """The validated options (the panel type's options model)."""
        return PANEL_OPTIONS[self.type].model_validate(self.options)

    def cells(self) -> set[tuple[int, int]]:
        return {
            (c, r)
            for c in range(self.col, self.col + self.width)
            for r in range(self.row, self.row + self.height)
        }


class Page(Spec):
    """One page of a rotation: panels shown together."""

    panels: list[PanelSpec] = Field(min_length=1)


class Rotation(Spec):
    """A playlist: the pages take turns in the same place; pinned panels stay."""

    interval_s: float = Field(30.0, ge=5, le=3600, description="Seconds each page is shown.")
    pages: list[Page] = Field(min_length=2)


def _check_places(panels: list[PanelSpec], where: str, columns: int, rows: int) -> None:
    for index, panel in enumerate(panels):
        if panel.col + panel.width - 1 > columns:
            raise ValueError(f"{where}[{index}] ({panel.type}) is wider than the screen")
        if panel.row + panel.height - 1 > rows:
            raise ValueError(f"{where}[{index}] ({panel.type}) is taller than the screen")
        for other_index, other in enumerate(panels[:index]):
            if panel.cells() & other.cells():
                raise ValueError(
                    f"{where}[{index}] ({panel.type}) overlaps "
                    f"{where}[{other_index}] ({other.type})"
                )


class ScreenSpec(Spec):
    columns: int = Field(12, ge=1, le=48)
    rows: int = Field(8, ge=1, le=48)
    #: Pinned panels: always shown.
    panels: list[PanelSpec] = Field(min_length=1)
    rotation: Rotation | None = None

    @model_validator(mode="after")
    def _fits(self) -> ScreenSpec:
        _check_places(self.panels, "panels", self.columns, self.rows)
        pinned = set().union(*(p.cells() for p in self.panels))
        for number, page in enumerate(self.rotation.pages if self.rotation else []):
            where = f"rotation.pages[{number}].panels"
            _check_places(page.panels, where, self.columns, self.rows)
            for index, panel in enumerate(page.panels):
                if panel.cells() & pinned:
                    raise ValueError(f"{where}[{index}] ({panel.type}) overlaps a pinned panel")
        if self.rotation and not any(p.type == "alarms" for p in self.panels):
            raise ValueError(
                "a screen with a rotation must pin an alarms panel (the alarm zone never "
                "rotates away)"
            )
        ids = [p.id for p in self.all_panels() if p.id]
        if len(ids) != len(set(ids)):
            raise ValueError("panel ids must be unique on a screen")
        return self

    def all_panels(self) -> list[PanelSpec]:
        """Pinned panels, then each page's."""
        pages = self.rotation.pages if self.rotation else []
        return [*self.panels, *(p for page in pages for p in page.panels)]

    def page_of(self) -> list[int | None]:
        """For each of ``all_panels``: its rotation page (None: pinned)."""
        pages = self.rotation.pages if self.rotation else []
        return [None] * len(self.panels) + [n for n, page in enumerate(pages) for _ in page.panels]

    def panel_ids(self) -> list[str]:
        """Each panel's id (``all_panels`` order): its own, else ``<type>-<index>``."""
        return [p.id or f"{p.type}-{i}" for i, p in enumerate(self.all_panels())]


class Canvas(Spec):
    width: int = Field(1920, ge=640, le=15360)
    height: int = Field(1080, ge=360, le=8640)


class WallLayout(Spec):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")
    title: Text = ""
    canvas: Canvas = Field(default_factory=Canvas)
    #: Type size scale: 1.0 is sized for a 55" 1080p screen read at 5 m.
    density: float = Field(1.0, gt=0.3, le=3.0)
    screens: list[ScreenSpec] = Field(min_length=1)


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
            f"{'.'.join(str(p) for p in e['loc']) or 'layout'}: "
            + e["msg"].removeprefix("Value error, ")
            for e in exc.errors()
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
