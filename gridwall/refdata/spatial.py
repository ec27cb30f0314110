"""Point → grid lookup: a uniform bucket index over prepared polygons.

The county's bounding box is cut into cells (about ``cells_per_grid`` per grid). A cell that
lies inside one grid and touches no other answers at once; a cell crossed by boundaries keeps
its candidate grids, sorted by code, and the point is tested against their prepared polygons.
The answer is the same as testing every grid (``intersects``: a point on a shared boundary goes
to the smallest code), only faster: most points land in a pure cell and cost two divisions and
a list lookup.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import cast

import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry.base import BaseGeometry

#: Cells are padded by this much (degrees) so a point on a cell edge finds every candidate.
PAD = 1e-9
EMPTY = -1
MIXED = -2


class GridIndex:
    """Which grid holds a point: ``locate(lon, lat)`` → grid code or None."""

    def __init__(
        self, codes: Sequence[str], geoms: Sequence[BaseGeometry], cells_per_grid: int = 32
    ) -> None:
        order = sorted(range(len(codes)), key=lambda i: codes[i])
        self.codes = [codes[i] for i in order]
        self.geoms = np.asarray([geoms[i] for i in order], dtype=object)
        shapely.prepare(self.geoms)
        if len(self.codes) == 0:
            self.west = self.south = self.east = self.north = 0.0
            self.nx = self.ny = 0
            self.inv_w = self.inv_h = 0.0
            self.cells: list[int] = []
            self.candidates: dict[int, list[int]] = {}
            self._cells = np.zeros(0, dtype=np.int64)
            self._ranks = np.zeros((0, 0), dtype=np.int64)
            return
        west, south, east, north = shapely.total_bounds(self.geoms)
        width, height = max(east - west, 1e-9), max(north - south, 1e-9)
        target = max(1, cells_per_grid * len(self.codes))
        size = math.sqrt(width * height / target)
        self.nx = max(1, math.ceil(width / size))
        self.ny = max(1, math.ceil(height / size))
        self.west, self.south = float(west), float(south)
        self.east, self.north = float(east), float(north)
        self.inv_w, self.inv_h = self.nx / width, self.ny / height
        self.cells, self.candidates = self._build(width / self.nx, height / self.ny)
        self._cells = np.asarray(self.cells, dtype=np.int64)
        most = max((len(c) for c in self.candidates.values()), default=0)
        # the candidates of mixed cells as a table: row = cell, column = rank (smallest code
        # first), -1 past the end; built once for locate_many
        self._ranks = np.full((len(self.cells), most), EMPTY, dtype=np.int64)
        for cell, found in self.candidates.items():
            self._ranks[cell, : len(found)] = found

    def _build(self, cw: float, ch: float) -> tuple[list[int], dict[int, list[int]]]:
        ix = np.tile(np.arange(self.nx), self.ny)
        iy = np.repeat(np.arange(self.ny), self.nx)
        boxes = shapely.box(
            self.west + ix * cw - PAD, self.south + iy * ch - PAD,
            self.west + (ix + 1) * cw + PAD, self.south + (iy + 1) * ch + PAD,
        )  # fmt: skip
        cell_idx, geom_idx = STRtree(self.geoms).query(boxes, predicate="intersects")
        counts = np.bincount(cell_idx, minlength=boxes.size)
        cells = np.full(boxes.size, EMPTY, dtype=np.int64)
        single = counts[cell_idx] == 1
        covered = shapely.covers(self.geoms[geom_idx[single]], boxes[cell_idx[single]])
        pure_cells, pure_geoms = cell_idx[single][covered], geom_idx[single][covered]
        cells[pure_cells] = pure_geoms
        candidates: dict[int, list[int]] = {}
        mixed = np.ones(cell_idx.size, dtype=bool)
        mixed[np.nonzero(single)[0][covered]] = False
        for cell, geom in zip(cell_idx[mixed].tolist(), geom_idx[mixed].tolist(), strict=True):
            candidates.setdefault(cell, []).append(geom)
        for cell, found in candidates.items():
            found.sort()  # codes are sorted, so the first hit is the smallest code
            cells[cell] = MIXED
        return cells.tolist(), candidates

    def locate(self, lon: float, lat: float) -> str | None:
        if not (self.west <= lon <= self.east and self.south <= lat <= self.north):
            return None
        col = min(int((lon - self.west) * self.inv_w), self.nx - 1)
        row = min(int((lat - self.south) * self.inv_h), self.ny - 1)
        cell = row * self.nx + col
        found = self.cells[cell]
        if found >= 0:
            return self.codes[found]
        if found == EMPTY:
            return None
        for i in self.candidates[cell]:
            if shapely.intersects_xy(self.geoms[i], lon, lat):
                return self.codes[i]
        return None

    def locate_many(self, lons: Sequence[float], lats: Sequence[float]) -> list[str | None]:
        """``locate`` for many points at once (numpy and vectorised shapely): the same answers,
        a few times faster per point for batches (the HTTP intake's arrays)."""
        xs = np.asarray(lons, dtype=np.float64)
        ys = np.asarray(lats, dtype=np.float64)
        found = np.full(xs.shape, EMPTY, dtype=np.int64)
        if not self.codes or xs.size == 0:
            return [None] * int(xs.size)
        inside = (self.west <= xs) & (xs <= self.east) & (self.south <= ys) & (ys <= self.north)
        where = np.nonzero(inside)[0]
        cols = np.minimum(((xs[where] - self.west) * self.inv_w).astype(np.int64), self.nx - 1)
        rows = np.minimum(((ys[where] - self.south) * self.inv_h).astype(np.int64), self.ny - 1)
        cells = rows * self.nx + cols
        found[where] = self._cells[cells]  # pure cells answer at once (EMPTY outside all)
        mixed = found[where] == MIXED
        todo, todo_cells = where[mixed], cells[mixed]
        found[todo] = EMPTY
        for rank in range(self._ranks.shape[1]):  # candidates in code order, as locate
            if todo.size == 0:
                break
            geom = self._ranks[todo_cells, rank]
            has = geom >= 0
            todo, todo_cells, geom = todo[has], todo_cells[has], geom[has]
            hit = shapely.intersects_xy(self.geoms[geom], xs[todo], ys[todo])
            found[todo[hit]] = geom[hit]
            todo, todo_cells = todo[~hit], todo_cells[~hit]
        codes = self.codes
        positions = cast(list[int], found.tolist())
        return [codes[i] if i >= 0 else None for i in positions]
