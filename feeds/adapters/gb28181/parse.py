"""GB/T 28181 alarm notifications (MANSCDP XML) and the SIP MESSAGE around them
(docs/feeds.md, gb28181).

Pure: bytes in, items out. Bodies are decoded as GB18030 (a superset of the GB2312 they
declare) unless the source or a per-device setting says otherwise; ``AlarmTime`` has no zone
(the county's is used) and may be unpadded; ``AlarmMethod`` digits may combine. ``Keepalive``
notifications are heartbeats; other command types are not alarms and yield nothing.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from feeds.adapters.devicetime import parse_time
from feeds.adapters.xmlsafe import deep_text, local, parse_xml
from feeds.alarms.devices import DeviceAlarm, DeviceHeartbeat, DeviceItem, Identity
from gridwall.contract.alarmtypes import (
    GB28181_DEVICE,
    GB28181_FAULT,
    GB28181_METHOD,
    GB28181_VIDEO,
    OTHER,
)
from gridwall.contract.refusal import PayloadError
from gridwall.refdata.model import IdentityKind

VENDOR = "gb28181"
_DEVICE_ID = re.compile(r"^\d{20}$")
_ID_BYTES = re.compile(rb"<DeviceID>\s*(\d{1,64})\s*</DeviceID>", re.I)
#: Type codes (digits 11–13) of 20-digit ids.
DEVICE_TYPES = {
    "111": "DVR", "112": "video server", "113": "encoder", "114": "decoder", "115": "video switch",
    "116": "audio switch", "117": "alarm controller", "118": "NVR", "130": "HVR",
    "131": "camera", "132": "IPC", "133": "display", "134": "alarm input", "135": "alarm output",
    "136": "audio input", "137": "audio output", "138": "mobile device", "200": "SIP server",
    "215": "business group", "216": "virtual organisation",
}  # fmt: skip


def decode_device_id(device_id: str) -> dict[str, str]:
    """The parts of a 20-digit id: division (centre code), industry, type, network, serial."""
    if not _DEVICE_ID.match(device_id):
        return {}
    code = device_id[10:13]
    return {
        "division": device_id[:8],
        "industry": device_id[8:10],
        "type_code": code,
        "device_type": DEVICE_TYPES.get(code, "other"),
        "network": device_id[13],
        "serial": device_id[14:],
    }


def _alarm_type(methods: str, alarm_type: str | None) -> str:
    tables = {"5": GB28181_VIDEO, "2": GB28181_DEVICE, "6": GB28181_FAULT}
    digits = [d for d in methods if d.isdigit()]
    if alarm_type:
        for digit in digits:
            found = tables.get(digit, {}).get(alarm_type)
            if found:
                return found
    for digit in digits:
        if digit in GB28181_METHOD:
            return GB28181_METHOD[digit]
    return OTHER


def _float(text: str | None, low: float, high: float) -> float | None:
    try:
        value = float(text) if text else None
    except ValueError:
        return None
    return value if value is not None and low <= value <= high and value != 0 else None


def parse_manscdp(
    body: bytes,
    *,
    zone: tzinfo,
    encoding: str | None = None,
    device_encodings: Mapping[str, str] | None = None,
    reporter: str | None = None,
) -> list[DeviceItem]:
    """One MANSCDP notification → its items; raises PayloadError with the reason."""
    overrides = device_encodings or {}
    named = _ID_BYTES.search(body[:4096])  # digits are ASCII in every encoding used
    by_device = overrides.get(named.group(1).decode()) if named else None
    doc = parse_xml(body, encoding=by_device or overrides.get(reporter or "") or encoding)
    device_id = deep_text(doc.root, "DeviceID") or ""
    root = doc.root
    if local(root.tag) not in ("notify", "response", "query", "control"):
        raise PayloadError(f"not a MANSCDP message (root {local(root.tag)!r})")
    command = (deep_text(root, "CmdType") or "").lower()
    if not device_id:
        raise PayloadError("the notification has no DeviceID", "DeviceID")
    if len(device_id) > 64:
        raise PayloadError("DeviceID too long", "DeviceID")
    identity = (Identity(IdentityKind.GB28181, device_id),)
    if command == "keepalive":
        return [DeviceHeartbeat(identity, None, VENDOR)]
    if command != "alarm":
        return []
    return [
        _alarm(root, identity, device_id, zone=zone, reporter=reporter, recovered=doc.recovered)
    ]


def _alarm(
    root: Any,
    identity: tuple[Identity, ...],
    device_id: str,
    *,
    zone: tzinfo,
    reporter: str | None,
    recovered: bool,
) -> DeviceAlarm:
    priority_text = deep_text(root, "AlarmPriority") or ""
    priority = int(priority_text) if priority_text in ("1", "2", "3", "4") else None
    methods = deep_text(root, "AlarmMethod") or ""
    alarm_type = _alarm_type(methods, deep_text(root, "AlarmType"))
    when = deep_text(root, "AlarmTime")
    extra: dict[str, Any] = {"method": methods, "sn": deep_text(root, "SN") or ""}
    extra.update(decode_device_id(device_id))
    if reporter:
        extra["reporter"] = reporter
    if recovered:
        extra["recovered"] = "1"
    code = deep_text(root, "AlarmType")
    if code:
        extra["alarm_type_code"] = code
    return DeviceAlarm(
        identities=identity,
        alarm_type=alarm_type,
        phase="start",
        priority=priority,
        device_time=parse_time(when, zone, "AlarmTime") if when else None,
        description=(deep_text(root, "AlarmDescription") or "")[:500],
        source_event_id=f"{device_id}:{extra['sn']}:{when or ''}" if extra["sn"] else None,
        lon=_float(deep_text(root, "Longitude"), -180, 180),
        lat=_float(deep_text(root, "Latitude"), -90, 90),
        extra=extra,
        vendor=VENDOR,
    )


# -- SIP ------------------------------------------------------------------------------------

_COMPACT = {"f": "from", "t": "to", "i": "call-id", "v": "via", "l": "content-length",
            "c": "content-type", "m": "contact"}  # fmt: skip
_SIP_USER = re.compile(r"sips?:([^@;>\s]+)@", re.I)


@dataclass(frozen=True)
class SipRequest:
    method: str
    uri: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str:
        return next((v for k, v in self.headers if k == name), "")

    @property
    def from_user(self) -> str | None:
        match = _SIP_USER.search(self.header("from"))
        return match.group(1) if match else None


def parse_sip(data: bytes, max_body: int = 65_536) -> SipRequest:
    """A SIP request datagram; raises PayloadError."""
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = data.partition(b"\n\n")
    lines = head.decode("utf-8", "replace").replace("\r\n", "\n").split("\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].upper().startswith("SIP/2.0"):
        raise PayloadError("not a SIP request")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if colon and name.strip():
            key = name.strip().lower()
            headers.append((_COMPACT.get(key, key), value.strip()))
    request = SipRequest(parts[0].upper(), parts[1], headers, b"")
    length = request.header("content-length")
    if length.isdigit():
        if int(length) > max_body:
            raise PayloadError(f"SIP body larger than {max_body} bytes")
        body = body[: int(length)]
    return SipRequest(request.method, request.uri, headers, body[:max_body])


def sip_response(request: SipRequest, code: int, reason: str) -> bytes:
    """A response echoing Via, From, To (tagged), Call-ID and CSeq, without a body."""
    lines = [f"SIP/2.0 {code} {reason}"]
    for name, value in request.headers:
        if name == "via":
            lines.append(f"Via: {value}")
    to = request.header("to")
    if to and ";tag=" not in to.lower():
        to += f";tag=gw{zlib.crc32(request.header('call-id').encode()):08x}"
    lines += [
        f"From: {request.header('from')}",
        f"To: {to}",
        f"Call-ID: {request.header('call-id')}",
        f"CSeq: {request.header('cseq')}",
        "User-Agent: gridwall",
        "Content-Length: 0",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")
