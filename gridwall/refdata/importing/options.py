"""Options of one reference-data import, and the progress hook the command line fills in."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from gridwall.contract.events import Crs
from gridwall.refdata.model import Level

T = TypeVar("T")


class Track(Protocol):
    """Wraps the records of a long loop to show progress (a progress bar on a terminal)."""

    def __call__(self, items: Sequence[T], label: str) -> Iterable[T]: ...


def no_track(items: Sequence[T], label: str) -> Iterable[T]:
    return items


@dataclass(frozen=True)
class ImportOptions:
    """How to read the input files (see docs/reference-data.md)."""

    #: The county of this install (its 6-digit code and name).
    county: str
    county_name: str = ""
    #: Coordinate system of the input (areas' polygons, cameras' positions); stored as WGS-84.
    crs: Crs = Crs.WGS84
    #: Our column/property name → the name used in the file (``{"code": "GRIDCODE"}``).
    mapping: Mapping[str, str] = field(default_factory=dict)
    #: Level of every feature of an areas file that has no level property.
    level: Level | None = None
    #: Worksheet of an XLSX file (default: the first).
    sheet: str | None = None
    #: Row of a table's header (title rows above it are skipped).
    header_row: int = 1
    #: Enforce 12-digit division codes and 15-digit grid codes (``refdata.strict_codes``).
    strict_codes: bool = False
    #: Overlap between two areas of one level tolerated, as a share of the smaller one.
    overlap_tolerance: float = 0.01
    #: Write the valid records and leave the invalid ones out (``--partial``).
    partial: bool = False
    track: Track = no_track
