"""Times as devices and upstreams write them: ISO 8601 with or without an offset, unpadded
GB/T 28181 forms (``2026-1-5T7:3:9``), fractions, ``Z``, or epoch seconds/milliseconds.
A time without an offset is read in the given zone (the county's, Asia/Shanghai by default).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from gridwall.contract.refusal import PayloadError

_ISO = re.compile(
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*$",
    re.I,
)
_EPOCH = re.compile(r"^\s*\d{9,13}(?:\.\d+)?\s*$")
#: Earliest and latest plausible times (anything else is a device's clock gone wrong).
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def parse_time(value: str | float | int, zone: tzinfo, field: str = "time") -> datetime:
    """An aware datetime; raises PayloadError naming ``field``."""
    if isinstance(value, bool):
        raise PayloadError(f"not a time: {value!r}", field)
    if isinstance(value, int | float):
        return from_epoch(float(value), field)
    text = str(value)
    if _EPOCH.match(text):
        return from_epoch(float(text), field)
    match = _ISO.match(text)
    if not match:
        raise PayloadError(f"not a time: {text[:40]!r}", field)
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        naive = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            micro,
        )
    except ValueError as exc:
        raise PayloadError(f"not a time: {text[:40]!r} ({exc})", field) from None
    if offset is None:
        return naive.replace(tzinfo=zone)
    return naive.replace(tzinfo=_zone_of(offset))


def _zone_of(offset: str) -> tzinfo:
    if offset.upper() == "Z":
        return UTC
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def from_epoch(value: float, field: str) -> datetime:
    if value > 1e11:  # milliseconds
        value /= 1000
    try:
        found = datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise PayloadError(f"not a time: {value!r}", field) from None
    if found < _EARLIEST:
        raise PayloadError(f"implausible time: {value!r}", field)
    return found
