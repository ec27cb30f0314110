"""A Dahua source: gridwall attaches to a device's ``eventManager.cgi`` event stream."""

from __future__ import annotations

from typing import Literal

from pydantic import AnyHttpUrl, Field

from feeds.sources.common import SecretRef, SourceBase


class DahuaSource(SourceBase):
    type: Literal["dahua"]
    url: AnyHttpUrl = Field(description="Base URL of the device or NVR (http://10.20.5.2).")
    username: str = Field(min_length=1, max_length=64)
    password: SecretRef
    codes: list[str] = Field(default_factory=lambda: ["All"], description="Event codes to attach.")
    heartbeat_s: int = Field(5, ge=1, le=300, description="Heartbeat asked of the device.")
    identity: Literal["ip", "mac"] = Field(
        "ip", description="How the registry names this device's cameras (with the channel)."
    )
    device: str | None = Field(
        None, description="IP or MAC of the device for identities (default: the URL's host)."
    )
    channel_offset: int = Field(1, ge=0, le=1, description="Added to the 0-based index.")
    timezone: str | None = None
