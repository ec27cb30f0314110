"""The one small adapter interface, and what parsers return.

Every adapter is a package ``feeds/adapters/<name>/`` with ``parse.py`` (pure: bytes in,
normalized items out, ``PayloadError`` with a reason for bad input), ``adapter.py`` (the thin
I/O loop implementing ``Adapter``) and ``config.py`` (its strict source model, one member of the
feeds file's discriminated union). Push adapters (HTTP intake, camera hooks) have no loop of
their own: their routes in ``feeds/http/`` call the parser and the sink.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from feeds.refdata.model import IdentityKind


class PayloadError(ValueError):
    """Input a parser cannot accept; ``reason`` says why (it goes to the dead letters)."""

    def __init__(self, reason: str, field: str = "body") -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


@dataclass(frozen=True)
class Identity:
    """How a device named itself: a registry identity kind and value (``mac``, ``aa:bb.../2``)."""

    kind: IdentityKind
    value: str


@dataclass(frozen=True)
class DeviceAlarm:
    """An alarm as a device sent it, before the camera is resolved.

    ``identities`` are tried in order against the registry; ``alarm_type`` is gridwall's
    vocabulary (``feeds.alarms.types``); ``priority`` None means the type's default.
    """

    identities: tuple[Identity, ...]
    alarm_type: str
    phase: Literal["start", "end", "pulse"] = "start"
    priority: int | None = None
    device_time: datetime | None = None
    description: str = ""
    source_event_id: str | None = None
    lon: float | None = None
    lat: float | None = None
    images: tuple[bytes, ...] = ()
    snapshot_urls: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    vendor: str = ""


@dataclass(frozen=True)
class DeviceHeartbeat:
    """Proof that a device is alive (not an alarm)."""

    identities: tuple[Identity, ...]
    device_time: datetime | None = None
    vendor: str = ""


DeviceItem = DeviceAlarm | DeviceHeartbeat


@dataclass(frozen=True)
class AdapterStatus:
    """An adapter's own view of itself (the Redis health adds counters)."""

    state: Literal["starting", "running", "connecting", "stopped", "failed"]
    connected: bool | None = None
    detail: str = ""


class Adapter(Protocol):
    """A running feed: a listener or a client of one source."""

    source_id: str

    async def start(self) -> None:
        """Begin listening or connecting; return once started (errors go to health)."""

    async def stop(self) -> None:
        """Stop and release everything; idempotent."""

    def health(self) -> AdapterStatus:
        """The adapter's current state."""
