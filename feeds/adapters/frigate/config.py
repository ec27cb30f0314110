"""A Frigate NVR: gridwall subscribes to its MQTT ``<prefix>/events`` and ``<prefix>/reviews``."""

from __future__ import annotations

from typing import Literal

from pydantic import AnyHttpUrl, Field

from feeds.sources.common import SecretRef, SourceBase

Severity = Literal["alert", "detection"]


def _alerts() -> list[Severity]:
    return ["alert"]


class FrigateSource(SourceBase):
    type: Literal["frigate"]
    host: str = Field("127.0.0.1", description="MQTT broker host.")
    port: int = Field(1883, ge=1, le=65535, description="MQTT broker port.")
    username: str | None = None
    password: SecretRef | None = None
    prefix: str = Field("frigate", pattern=r"^[^#+]{1,100}$", description="Frigate topic prefix.")
    events: bool = Field(default=True, description="Subscribe to <prefix>/events.")
    reviews: bool = Field(default=True, description="Subscribe to <prefix>/reviews.")
    review_severities: list[Severity] = Field(
        default_factory=_alerts, description="Review severities that become alarms."
    )
    labels: list[str] = Field(default_factory=list, description="Only these labels (all if empty).")
    min_score: float = Field(0.0, ge=0, le=1, description="Ignore events scoring lower.")
    frigate_url: AnyHttpUrl | None = Field(
        None, description="Frigate's HTTP address, for snapshot links."
    )
    client_id: str | None = Field(None, max_length=64)
    keepalive_s: int = Field(30, ge=5, le=600)
