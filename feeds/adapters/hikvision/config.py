"""A Hikvision source: cameras and NVRs pushing ISAPI alarms to ``/api/v1/alarms/hikvision``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from feeds.sources.common import DeviceAccess, SourceBase


class HikvisionSource(SourceBase, DeviceAccess):
    type: Literal["hikvision"]
    timezone: str | None = Field(None, description="Zone of device times without an offset.")
    priorities: dict[str, int] = Field(
        default_factory=dict, description="Alarm type → priority (1–4) for this source."
    )
