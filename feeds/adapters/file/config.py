"""A file source: CSV or XLSX exports backfilled with ``gridwall backfill``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from feeds.adapters.mapping import FieldMapping, identity_mapping
from feeds.sources.common import SourceBase


class FileSource(SourceBase):
    type: Literal["file"]
    mapping: FieldMapping = Field(
        default_factory=identity_mapping, description="Column → event field."
    )
    encoding: str | None = Field(None, description="CSV encoding (default: UTF-8, else GB18030).")
    sheet: str | None = Field(None, description="XLSX sheet (default: the first).")
