"""A GB/T 28181 source: a platform or device sending MANSCDP alarm notifications, over HTTP
(``/api/v1/alarms/gb28181``) and/or SIP MESSAGE on UDP."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from feeds.sources.common import DeviceAccess, SourceBase
from gridwall.platform.settings.base import Strict


class SipListener(Strict):
    host: str = Field("0.0.0.0", description="Address the SIP listener binds.")  # noqa: S104
    port: int = Field(5060, ge=1, le=65535, description="UDP port of the SIP listener.")


class Gb28181Source(SourceBase, DeviceAccess):
    type: Literal["gb28181"]
    sip: SipListener | None = Field(None, description="Listen for SIP MESSAGE on UDP.")
    encoding: str | None = Field(
        None,
        description="Force a body encoding (default: the declared one, GB2312/GBK read as "
        "GB18030).",
    )
    device_encodings: dict[str, str] = Field(
        default_factory=dict, description="Per device id (SIP From user or DeviceID): encoding."
    )
    timezone: str | None = Field(None, description="Zone of AlarmTime (default: the county's).")
