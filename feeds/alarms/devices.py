"""What devices report, as every camera adapter's parser returns it: an alarm
(``DeviceAlarm``) or a heartbeat (``DeviceHeartbeat``) of a device that named itself
(``Identity``). The camera-alarm intake (``feeds.alarms.intake``) takes them from there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from gridwall.refdata.model import IdentityKind


@dataclass(frozen=True)
class Identity:
    """How a device named itself: a registry identity kind and value (``mac``, ``aa:bb.../2``)."""

    kind: IdentityKind
    value: str


@dataclass(frozen=True)
class DeviceAlarm:
    """An alarm as a device sent it, before the camera is resolved.

    ``identities`` are tried in order against the registry; ``alarm_type`` is gridwall's
    vocabulary (``gridwall.contract.alarmtypes``); ``priority`` None means the type's default.
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
