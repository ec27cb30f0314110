"""An HTTP JSON source (grid-worker apps, other systems) posting to ``/api/v1/events``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from feeds.sources.common import IpNetwork, SecretRef, SourceBase


class HttpSource(SourceBase):
    type: Literal["http"]
    hmac: SecretRef | None = Field(
        None, description="Shared secret: when set, every request must be signed."
    )
    max_body_bytes: int | None = Field(
        None, ge=1024, description="Body cap for this source (default http.max_body_bytes)."
    )
    rate_per_min: int | None = Field(None, ge=1, description="Most events per minute (429 past).")
    allow: list[IpNetwork] = Field(
        default_factory=list, description="Optional: only these addresses may post."
    )
    photos: bool = Field(default=True, description="Accept photo uploads (multipart).")
