"""The hierarchy checks of an areas import, all reported at once.

county → street/town → community/village → grid. Every area but the county has exactly one
parent one level up (a grid always in a community, never directly in a street); codes are
unique and well-formed (12/15-digit forms with ``strict_codes``); areas of one level overlap by
no more than ``overlap_tolerance`` of the smaller one. Areas sticking out of their parent and
parents not covered by their children are warnings: real boundaries have slivers and water.

Levels present in the input replace the stored ones; levels absent are kept, so a county can
re-import just its grids. The county outline is the county feature when given, else the union
of its streets.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry.base import BaseGeometry

from gridwall.refdata.codes import area_code_reason, strict_area_reason
from gridwall.refdata.geometry import make_area, shapes
from gridwall.refdata.importing.areas import AreasRead, Candidate
from gridwall.refdata.importing.options import ImportOptions
from gridwall.refdata.importing.problems import Problems, Severity
from gridwall.refdata.model import LEVEL_ORDER, Area, Level

PARENT_LEVEL = {
    Level.STREET: Level.COUNTY,
    Level.COMMUNITY: Level.STREET,
    Level.GRID: Level.COMMUNITY,
}
NAMES = {
    Level.COUNTY: "the county",
    Level.STREET: "a street/town",
    Level.COMMUNITY: "a community/village",
    Level.GRID: "a grid",
}


def overlapping_pairs(
    geoms: Sequence[BaseGeometry], tolerance: float
) -> list[tuple[int, int, float]]:
    """Pairs (i < j) whose overlap exceeds ``tolerance`` of the smaller one, with that share."""
    if len(geoms) < 2:
        return []
    arr = np.asarray(geoms, dtype=object)
    left, right = STRtree(arr).query(arr, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if left.size == 0:
        return []
    shared = shapely.area(shapely.intersection(arr[left], arr[right]))
    sizes = shapely.area(arr)
    share = shared / np.minimum(sizes[left], sizes[right])
    hits = np.nonzero(share > tolerance)[0]
    return [(int(left[k]), int(right[k]), float(share[k])) for k in hits]


class _Check:
    """State of one run of the checks."""

    def __init__(
        self,
        read: AreasRead,
        kept: list[Area],
        options: ImportOptions,
        problems: Problems,
    ) -> None:
        self.options = options
        self.problems = problems
        self.kept = {a.code: a for a in kept}
        self.by_code: dict[str, Candidate] = {}
        self.ok: dict[str, Candidate] = {}
        self.candidates = read.candidates
        self.rejected = read.rejected
        candidates = read.candidates
        self.synthesize_county = not any(c.level is Level.COUNTY for c in candidates) and (
            options.county not in self.kept or any(c.level is Level.STREET for c in candidates)
        )

    def error(self, c: Candidate, reason: str, field: str | None = None) -> None:
        self.problems.add(c.where, reason, code=c.code, field=field)

    def parent_of(self, c: Candidate) -> str | None:
        if c.level is Level.STREET and c.parent is None:
            return self.options.county
        return c.parent

    def parent_level(self, code: str) -> Level | None:
        if code in self.by_code:
            return self.by_code[code].level
        if code in self.kept:
            return self.kept[code].level
        if code == self.options.county and self.synthesize_county:
            return Level.COUNTY
        return None

    # -- own checks -------------------------------------------------------------------------
    def own(self) -> None:
        for c in self.candidates:
            reason = area_code_reason(c.code)
            if reason:
                self.error(c, reason, "code")
            elif c.code in self.by_code:
                self.error(c, f"duplicate code (also {self.by_code[c.code].where})", "code")
            else:
                self.by_code[c.code] = c
        for c in self.by_code.values():
            if c.code in self.rejected:
                self.error(c, f"duplicate code (also {self.rejected[c.code]})", "code")
            elif self._own_ok(c):
                self.ok[c.code] = c

    def _own_ok(self, c: Candidate) -> bool:
        if c.level is Level.COUNTY:
            if c.code != self.options.county:
                self.error(c, f"this install serves county {self.options.county}", "code")
                return False
            return True
        parent = self.parent_of(c)
        if parent is None:
            self.error(
                c, f"no parent code: {NAMES[c.level]} needs its {PARENT_LEVEL[c.level]}", "parent"
            )
            return False
        level = self.parent_level(parent)
        wanted = PARENT_LEVEL[c.level]
        if parent in self.rejected:
            self.error(c, f"its parent {parent} ({self.rejected[parent]}) was rejected", "parent")
            return False
        if level is None:
            self.error(c, f"unknown parent {parent}", "parent")
            return False
        if level is not wanted:
            self.error(
                c,
                f"parent {parent} is {NAMES[level]}; {NAMES[c.level]} belongs to {NAMES[wanted]}",
                "parent",
            )
            return False
        if self.options.strict_codes:
            reason = strict_area_reason(c.code, c.level, parent, self.options.county)
            if reason:
                self.error(c, reason, "code")
                return False
        return True

    # -- across features --------------------------------------------------------------------
    def overlaps(self) -> None:
        for level in LEVEL_ORDER[1:]:
            group = [c for c in self.ok.values() if c.level is level]
            for i, j, share in overlapping_pairs(
                [c.geom for c in group], self.options.overlap_tolerance
            ):
                first, second = sorted((group[i], group[j]), key=lambda c: _order(c.where))
                self.error(
                    second,
                    f"overlaps {first.code} ({first.where}) by {share:.1%} of the smaller area "
                    f"(tolerance {self.options.overlap_tolerance:.1%})",
                    "geometry",
                )
                self.ok.pop(second.code, None)

    def cascade(self) -> None:
        """Drop areas whose parent was rejected, until nothing changes."""
        changed = True
        while changed:
            changed = False
            for c in list(self.ok.values()):
                parent = self.parent_of(c)
                if parent is None or parent in self.ok or c.level is Level.COUNTY:
                    continue
                if parent in self.by_code:
                    self.error(
                        c,
                        f"its parent {parent} ({self.by_code[parent].where}) was rejected",
                        "parent",
                    )
                    del self.ok[c.code]
                    changed = True

    # -- result -----------------------------------------------------------------------------
    def areas(self) -> list[Area]:
        levels = {c.level for c in self.candidates}
        result = {a.code: a for a in self.kept.values() if a.level not in levels}
        for c in self.ok.values():
            result[c.code] = make_area(c.code, c.name, c.level, self.parent_of(c), c.geom)
        if self.synthesize_county:
            streets = [a for a in result.values() if a.level is Level.STREET]
            if streets:
                outline = shapely.union_all(shapes(streets))
                name = self.options.county_name or self.options.county
                result[self.options.county] = make_area(
                    self.options.county, name, Level.COUNTY, None, outline
                )
        return list(result.values())


def _order(where: str) -> tuple[str, int]:
    head, _, number = where.rpartition(" ")
    return head, int(number) if number.isdigit() else 0


def check_hierarchy(
    read: AreasRead, kept: Iterable[Area], options: ImportOptions, problems: Problems
) -> list[Area]:
    """The areas after the import (kept levels + accepted candidates); problems reported."""
    check = _Check(read, list(kept), options, problems)
    check.own()
    check.overlaps()
    check.cascade()
    areas = check.areas()
    places = {c.code: c.where for c in read.candidates}
    fit_warnings(areas, problems, options.overlap_tolerance, places)
    return areas


def fit_warnings(
    areas: list[Area], problems: Problems, tolerance: float, where: dict[str, str]
) -> None:
    """Warn about children outside their parent and parents their children leave uncovered."""
    by_code = {a.code: a for a in areas}
    children: dict[str, list[Area]] = {}
    for a in areas:
        if a.parent in by_code and a.geometry is not None:
            children.setdefault(a.parent, []).append(a)
    for code, kids in sorted(children.items()):
        parent = by_code[code]
        if parent.geometry is None or (
            code not in where and not any(k.code in where for k in kids)
        ):
            continue
        outline = shapes([parent])[0]
        kid_shapes = shapes(kids)
        outside = shapely.area(shapely.difference(np.asarray(kid_shapes, dtype=object), outline))
        for kid, shape, out in zip(kids, kid_shapes, outside, strict=True):
            if out > tolerance * shape.area:
                problems.add(
                    where.get(kid.code, "stored"),
                    f"{out / shape.area:.1%} of it lies outside its parent {code}",
                    code=kid.code, field="geometry", severity=Severity.WARNING,
                )  # fmt: skip
        gap = outline.difference(shapely.union_all(kid_shapes)).area
        if gap > tolerance * outline.area:
            problems.add(
                where.get(code, "stored"),
                f"{gap / outline.area:.1%} of it is not covered by its {len(kids)} children",
                code=code, field="geometry", severity=Severity.WARNING,
            )  # fmt: skip
    for a in areas:
        if a.level is Level.COMMUNITY and a.code not in children and a.code in where:
            problems.add(
                where.get(a.code, "stored"),
                "a community without grids",
                code=a.code,
                severity=Severity.WARNING,
            )
