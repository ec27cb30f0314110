"""An Open311 GeoReport v2 source (a 12345 hotline system): gridwall polls ``requests.json``."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AnyHttpUrl, AwareDatetime, Field

from feeds.sources.common import SecretRef, SourceBase
from gridwall.contract.events import Crs, Urgency


class Open311Source(SourceBase):
    type: Literal["open311"]
    url: AnyHttpUrl = Field(description="Base of the GeoReport v2 API (…/open311/v2).")
    api_key: SecretRef | None = Field(None, description="Secret sent as the api_key parameter.")
    token: SecretRef | None = Field(
        None, description="Bearer token (e.g. a source token of another gridwall)."
    )
    jurisdiction_id: str | None = None
    poll_s: float = Field(60.0, ge=1, description="Seconds between two polls.")
    page_days: float = Field(1.0, gt=0, le=90, description="Length of one date window.")
    start: AwareDatetime | None = Field(
        None, description="First requested_datetime to fetch (default: one day back)."
    )
    overlap_s: float = Field(3600.0, ge=0, description="Re-read this much before the cursor.")
    services: dict[str, str] = Field(
        default_factory=dict, description="service_code → catalogue category code."
    )
    default_category: str | None = Field(None, description="Category of unmapped services.")
    statuses: dict[str, str] = Field(
        default_factory=lambda: {"closed": "closed"},
        description="Open311 status → gridwall status word (accepted, closed ...).",
    )
    urgency: Urgency = Urgency.NORMAL
    crs: Crs = Field(Crs.WGS84, description="CRS of lat/long (GeoReport says WGS-84).")
    refresh_batch: int = Field(50, ge=1, le=200, description="Open requests re-read per call.")


def iso(value: datetime) -> str:
    """Open311 dates: W3C format with an offset."""
    return value.isoformat(timespec="seconds")
