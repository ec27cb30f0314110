"""What the map draws, as data: one level's areas, colour classes, markers, and the patches
that keep a browser's feature lists in step with a snapshot (pure, no Dash components).

The map shows the geometry of the current level only (county → its streets, street → its
communities, community → its grids, grid → itself), simplified for the scale it is seen at,
with a label point per area in the same layer. Colours come from ``hideout`` (counts of every
area of every level, so a push never needs to know what a screen is drilled into).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from dash import Patch
from shapely.geometry import mapping, shape

from gridwall.refdata.model import Area, Level
from gridwall.refdata.registry import Registry

#: Simplification tolerance (degrees) of the areas shown at each level (about half a pixel of
#: a wall-sized map of that level).
TOLERANCE = {Level.STREET: 0.0004, Level.COMMUNITY: 0.00015, Level.GRID: 0.00004}
#: Colour classes above zero (the scales in ``theme`` have one more colour, for zero).
CLASSES = 6
CHILD = {Level.COUNTY: Level.STREET, Level.STREET: Level.COMMUNITY, Level.COMMUNITY: Level.GRID}


def _round(coords: Any) -> Any:
    if isinstance(coords, (int, float)):
        return round(float(coords), 5)
    return [_round(c) for c in coords]


@dataclass(frozen=True)
class LevelView:
    """The areas one level of the drill-down shows."""

    code: str
    data: dict[str, Any]  # FeatureCollection: polygons and one label point per area
    bounds: list[list[float]]  # [[south, west], [north, east]]


def _polygon(area: Area, tolerance: float) -> dict[str, Any] | None:
    if not area.geometry:
        return None
    geometry = mapping(shape(area.geometry).simplify(tolerance, preserve_topology=True))
    return {"type": geometry["type"], "coordinates": _round(geometry["coordinates"])}


def _features(area: Area, tolerance: float, clickable: bool, prefix: str) -> list[dict[str, Any]]:
    """The area's polygon and its label point; the label drops the parent's name
    (华林社区第1网格 → 第1网格 inside 华林社区)."""
    name = area.name.removeprefix(prefix) or area.name
    props = {"code": area.code, "name": name, "level": area.level.value, "click": clickable}
    found = []
    polygon = _polygon(area, tolerance)
    if polygon is not None:
        found.append({"type": "Feature", "id": area.code, "properties": props, "geometry": polygon})
    if area.centroid is not None:
        found.append(
            {
                "type": "Feature",
                "id": f"label-{area.code}",
                "properties": {**props, "label": True, "id": f"label-{area.code}"},
                "geometry": {"type": "Point", "coordinates": _round(list(area.centroid))},
            }
        )
    return found


def _bounds(areas: list[Area]) -> list[list[float]]:
    boxes = [shape(a.geometry).bounds for a in areas if a.geometry]
    if not boxes:
        return [[31.8, 118.7], [32.1, 119.1]]
    return [
        [min(b[1] for b in boxes), min(b[0] for b in boxes)],
        [max(b[3] for b in boxes), max(b[2] for b in boxes)],
    ]


class Geometry:
    """Level views of one registry version, built once per process and kept."""

    def __init__(self) -> None:
        self._version: int | None = None
        self._views: dict[str, LevelView] = {}
        self._codes: dict[str, list[str]] = {}

    def _check(self, registry: Registry) -> None:
        if registry.version != self._version:
            self._version, self._views = registry.version, {}
            self._codes = level_codes(registry)

    def codes(self, registry: Registry) -> dict[str, list[str]]:
        """Area codes of each level below the county."""
        self._check(registry)
        return self._codes

    def view(self, registry: Registry, code: str) -> LevelView:
        self._check(registry)
        found = self._views.get(code)
        if found is None:
            found = self._views[code] = level_view(registry, code)
        return found


def level_view(registry: Registry, code: str) -> LevelView:
    area = registry.area(code)
    if area is None:
        raise LookupError(f"no area {code}")
    shown = registry.children(code) if area.level in CHILD else [area]
    level = CHILD.get(area.level, area.level)
    clickable = area.level is not Level.GRID
    prefix = area.name if area.level is not Level.COUNTY else ""
    tolerance = TOLERANCE.get(level, 0.0001)
    features = [f for a in shown for f in _features(a, tolerance, clickable, prefix)]
    return LevelView(code, {"type": "FeatureCollection", "features": features}, _bounds(shown))


def crumbs(registry: Registry, code: str) -> list[tuple[str, str]]:
    """(code, name) from the county down to ``code``."""
    chain = [*reversed(registry.ancestors(code))]
    area = registry.area(code)
    if area is not None:
        chain.append(area)
    return [(a.code, a.name) for a in chain]


def breaks(values: list[int]) -> list[int]:
    """Upper bounds of the colour classes of one level (quantiles of its non-zero counts)."""
    nonzero = sorted(v for v in values if v > 0)
    if not nonzero:
        return [1] * CLASSES
    picks = [
        nonzero[min(len(nonzero) - 1, (len(nonzero) * k) // CLASSES)] for k in range(1, CLASSES + 1)
    ]
    return [max(p, 1) for p in picks]


def level_codes(registry: Registry) -> dict[str, list[str]]:
    return {lv.value: [a.code for a in registry.by_level(lv)] for lv in CHILD.values()}


def hideout(
    counts: Mapping[str, int],
    overdue: Mapping[str, int],
    codes: Mapping[str, list[str]],
    color_by: str,
    scale: list[str],
) -> dict[str, Any]:
    """Everything the area style and label functions read (``assets/wall.js``)."""
    shown = counts if color_by == "backlog" else overdue
    return {
        "by": color_by,
        "open": dict(counts),
        "over": dict(overdue),
        "breaks": {lv: breaks([shown.get(c, 0) for c in cs]) for lv, cs in codes.items()},
        "scale": scale,
    }


def hideout_patch(old: Mapping[str, Any], new: Mapping[str, Any]) -> Patch | None:
    """Only the counts and breaks that changed, one merge per part (a count gone is a 0)."""
    patch, changed = Patch(), False
    for part in ("open", "over"):
        before, after = old[part], new[part]
        delta = {
            code: after.get(code, 0)
            for code in before.keys() | after.keys()
            if before.get(code, 0) != after.get(code, 0)
        }
        if delta:
            patch[part].update(delta)
            changed = True
    for level, bounds in new["breaks"].items():
        if old["breaks"].get(level) != bounds:
            patch["breaks"][level] = bounds
            changed = True
    return patch if changed else None


T = TypeVar("T")
Feature = Callable[[str, Any], dict[str, Any]]


def collection(
    items: Mapping[str, T], feature: Callable[[str, T], dict[str, Any]]
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of ``items``, one feature each, in their order."""
    return {"type": "FeatureCollection", "features": [feature(k, v) for k, v in items.items()]}


def keyed_patch(
    mirror: list[str],
    old: Mapping[str, T],
    new: Mapping[str, T],
    feature: Callable[[str, T], dict[str, Any]],
) -> tuple[Patch | dict[str, Any] | None, list[str]]:
    """Patch a browser's feature list (whose ids, in order, are ``mirror``) from ``old`` to
    ``new``: deletions by position (last first), changed features in place, new ones
    appended. When most of the list changes, the whole collection is cheaper and is returned
    instead. Returns (a Patch, the whole collection, or None when nothing changed) and the
    browser's new order of ids."""
    wanted = set(new)
    kept = [k for k in mirror if k in wanted]
    removed = [i for i, k in enumerate(mirror) if k not in wanted]
    present = set(kept)
    added = [k for k in new if k not in present]
    changed = [i for i, k in enumerate(kept) if old.get(k) != new[k]]
    if not removed and not added and not changed:
        return None, mirror
    if len(removed) + len(added) + len(changed) > max(50, len(new) // 2):
        order = list(new)
        return collection(new, feature), order
    patch = Patch()
    for index in reversed(removed):
        del patch["features"][index]
    for index in changed:
        patch["features"][index] = feature(kept[index], new[kept[index]])
    for key in added:
        patch["features"].append(feature(key, new[key]))
    return patch, kept + added
