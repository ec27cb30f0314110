"""A websocket upstream: gridwall connects to a ws/wss URL that sends JSON events."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from feeds.adapters.mapping import FieldMapping
from feeds.sources.common import SecretRef, SourceBase
from gridwall.platform.settings.base import Strict


class Resume(Strict):
    """How the upstream resumes after a reconnect (gridwall keeps the last id)."""

    query_param: str | None = Field(None, description="Add ?<param>=<last id> to the URL.")
    message_field: str | None = Field(None, description="Put the last id in the subscribe message.")
    id_field: str = Field("id", description="Path of the id in each event record.")


class WebsocketSource(SourceBase):
    type: Literal["websocket"]
    url: str = Field(pattern=r"^wss?://", description="ws:// or wss:// URL.")
    token: SecretRef | None = Field(None, description="Sent as 'Authorization: Bearer'.")
    subscribe: dict[str, Any] | None = Field(None, description="JSON message sent after connect.")
    events_path: str | None = Field(
        None,
        description="Path of the event (or list of events) in a message; whole message if unset.",
    )
    mapping: FieldMapping = Field(description="How a record becomes an event.")
    resume: Resume | None = None
    ping_s: float = Field(20.0, gt=0, description="Websocket ping interval.")
