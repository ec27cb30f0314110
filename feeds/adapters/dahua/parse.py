"""Dahua event stream parts (``eventManager.cgi?action=attach``), docs/feeds.md, dahua. Pure.

A part is ``Heartbeat`` or ``Code=<code>;action=<Start|Stop|Pulse|State>;index=<n>[;data=<json>]``.
``pair`` keeps Start/Stop bracketing honest: a Stop without its Start is dropped, a repeated
Start is a repeat (storm control merges it), Pulse is one-shot, State is noise (liveness only).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from feeds.adapters.devicetime import from_epoch
from feeds.alarms.devices import DeviceAlarm, DeviceHeartbeat, Identity
from gridwall.contract.alarmtypes import DAHUA, OTHER
from gridwall.contract.refusal import PayloadError
from gridwall.refdata.model import IdentityKind

VENDOR = "dahua"
MAX_DATA = 16_384


@dataclass(frozen=True)
class DahuaEvent:
    code: str
    action: str
    index: int
    data: dict[str, Any] | None = None


@dataclass(frozen=True)
class Heartbeat:
    pass


def parse_part(body: bytes) -> DahuaEvent | Heartbeat:
    """One part's text; raises PayloadError."""
    text = body.decode("utf-8", "replace").strip()
    if text.lower() == "heartbeat":
        return Heartbeat()
    fields: dict[str, str] = {}
    rest = text
    while rest:
        name, eq, rest = rest.partition("=")
        name = name.strip().lower()
        if not eq:
            raise PayloadError(f"not a Dahua event: {text[:60]!r}")
        if name == "data":
            fields["data"] = rest
            break
        value, _, rest = rest.partition(";")
        fields[name] = value.strip()
    code, action, index = fields.get("code"), fields.get("action"), fields.get("index", "0")
    if not code or not action:
        raise PayloadError(f"a Dahua event needs Code and action: {text[:60]!r}")
    if not index.lstrip("-").isdigit() or not 0 <= int(index) < 10_000:
        raise PayloadError(f"bad channel index {index[:10]!r}", "index")
    data = None
    if "data" in fields:
        try:
            loaded = json.loads(fields["data"][:MAX_DATA])
            data = loaded if isinstance(loaded, dict) else {"value": loaded}
        except json.JSONDecodeError:
            data = {"raw": fields["data"][:500]}
    return DahuaEvent(code[:64], action.capitalize()[:16], int(index), data)


@dataclass
class Pairing:
    """Open (code, index) pairs of one connection."""

    open: set[tuple[str, int]] = field(default_factory=set)

    def phase(self, event: DahuaEvent) -> Literal["start", "end", "pulse"] | None:
        """The alarm phase this event stands for, or None when it is noise or unpaired."""
        key = (event.code, event.index)
        if event.action == "Start":
            self.open.add(key)
            return "start"
        if event.action == "Stop":
            if key not in self.open:
                return None
            self.open.discard(key)
            return "end"
        if event.action == "Pulse":
            return "pulse"
        return None


def identity(kind: Literal["ip", "mac"], device: str, channel: int) -> Identity:
    return Identity(IdentityKind(kind), f"{device}/{channel}")


def to_item(
    event: DahuaEvent,
    phase: Literal["start", "end", "pulse"],
    *,
    kind: Literal["ip", "mac"],
    device: str,
    offset: int,
) -> DeviceAlarm:
    channel = event.index + offset
    when: datetime | None = None
    data = event.data or {}
    if isinstance(data.get("UTC"), int | float):
        try:
            when = from_epoch(float(data["UTC"]), "UTC")
        except PayloadError:
            when = None
    extra: dict[str, Any] = {"code": event.code, "action": event.action, "index": event.index}
    if isinstance(data.get("Name"), str):
        extra["rule"] = data["Name"][:100]
    return DeviceAlarm(
        identities=(identity(kind, device, channel),),
        alarm_type=DAHUA.get(event.code.lower(), OTHER),
        phase=phase,
        device_time=when,
        extra=extra,
        vendor=VENDOR,
    )


def heartbeat(kind: Literal["ip", "mac"], device: str, channels: set[int]) -> DeviceHeartbeat:
    ids = tuple(identity(kind, device, c) for c in sorted(channels))
    return DeviceHeartbeat(ids, None, VENDOR)
