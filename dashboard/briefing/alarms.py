"""Video alarms of one day, for the briefing: the one function that reads them.

The contract with the alarm feeds (docs/feeds.md): they count each day's alarms in that
day's statistics hash ``gw:{county}:stats:<YYYYMMDD>`` (the archive copies it every night to
``<history.dir>/days/<YYYY-MM-DD>.json``), with these fields:

| field | meaning |
|---|---|
| ``alarms:received`` | alarm events received (every repeat of a storm counts) |
| ``alarms:new`` | distinct alarms after merging the repeats (so merged = received − new) |
| ``alarms:cam:<camera id>`` | alarm events of one camera (optional: the noisiest cameras) |
| ``alarms:unknown`` | alarm events from devices not in the camera registry (optional) |

Incidents opened from alarms are counted from the history: cases reported that day whose
``source_event_id`` starts with ``alarm:`` (the alarm stage names the reports it opens so).

``alarm_day`` answers ``None`` when the day has no ``alarms:*`` field at all (no alarm feed
runs, or it is not installed yet): the briefing then says "no data" instead of zeros. An
optional field missing gives ``None`` for its figure (shown as "no data" too).
"""

from __future__ import annotations

from collections.abc import Mapping

from dashboard.briefing.model import Alarms, CameraCount
from gridwall.contract import daystats
from gridwall.refdata.registry import Registry

PREFIX = "alarms:"
#: Reports opened by the alarm stage carry ``source_event_id = "alarm:<alarm id>"``.
OPENED_PREFIX = "alarm:"


def alarm_day(
    counters: Mapping[str, int] | None, opened: int, registry: Registry, top: int
) -> Alarms | None:
    """The day's alarm figures from its counters, or None when there are none."""
    if not counters or not any(name.startswith(PREFIX) for name in counters):
        return None
    received = int(counters.get(daystats.ALARMS_RECEIVED, 0))
    distinct = int(counters.get(daystats.ALARMS_NEW, 0))
    per_camera = {
        name[len(daystats.CAMERA) :]: int(count)
        for name, count in counters.items()
        if name.startswith(daystats.CAMERA)
    }
    cameras = None
    if per_camera:
        noisiest = sorted(per_camera.items(), key=lambda item: (-item[1], item[0]))[:top]
        cameras = [_camera(registry, camera_id, count) for camera_id, count in noisiest]
    unknown = counters.get(daystats.ALARMS_UNKNOWN)
    return Alarms(
        received=received,
        merged=max(received - distinct, 0),
        distinct=distinct,
        opened=opened,
        unknown=None if unknown is None else int(unknown),
        cameras=cameras,
    )


def _camera(registry: Registry, camera_id: str, count: int) -> CameraCount:
    camera = registry.camera(camera_id)
    street = ""
    if camera is not None and camera.grid:
        street = registry.path(camera.grid).street or ""
        area = registry.area(street)
        street = area.name if area else street
    return CameraCount(
        id=camera_id, name=camera.name if camera else camera_id, street=street, count=count
    )
