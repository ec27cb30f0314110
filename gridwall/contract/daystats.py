"""The daily counters: one Redis hash per local day (``Keys.daily_stats("YYYYMMDD")``).

Every field name is spelled here once. The processor counts the intake and the closures
(``gridwall.engine.processor.indexing``), the alarm stage the camera alarms
(``gridwall.engine.alarms.stage``); the demo's seeder writes the same fields for the days it
invents; the wall's trend and the daily briefing read them; the nightly archive keeps them in
the history beside ``deadletters`` (the input refused that day, counted from the stream).

============================  ==========================================================
``received``                  incidents received
``received:h<HH>``            of them in the local hour ``HH`` (00-23)
``received:cat:<category>``   of them per category
``received:src:<source>``     of them per source
``closed``                    incidents closed
``alarms:received``           alarm events received (every repeat of a storm counts)
``alarms:new``                distinct alarms after merging the repeats
``alarms:unknown``            alarm events from devices not in the camera registry
``alarms:cam:<camera id>``    alarm events of one camera
============================  ==========================================================
"""

from __future__ import annotations

from collections.abc import Mapping

RECEIVED = "received"
CLOSED = "closed"
ALARMS_RECEIVED = "alarms:received"
ALARMS_NEW = "alarms:new"
ALARMS_UNKNOWN = "alarms:unknown"
#: Not a field of the hash: the archive adds the day's dead-letter count under this name.
DEADLETTERS = "deadletters"
CATEGORY = "received:cat:"
SOURCE = "received:src:"
CAMERA = "alarms:cam:"
_HOUR = "received:h"


def hour(local_hour: int) -> str:
    return f"{_HOUR}{local_hour:02d}"


def intake_fields(local_hour: int, category: str, source: str) -> tuple[str, str, str, str]:
    """The four fields one received incident adds one to."""
    return RECEIVED, hour(local_hour), f"{CATEGORY}{category}", f"{SOURCE}{source}"


def is_intake(field: str) -> bool:
    return field.startswith(RECEIVED)


def per_hour(stats: Mapping[str, int]) -> list[int]:
    """The day's intake per local hour, 0 to 23."""
    return [stats.get(hour(h), 0) for h in range(24)]


def per_category(stats: Mapping[str, int]) -> dict[str, int]:
    return {k.removeprefix(CATEGORY): v for k, v in stats.items() if k.startswith(CATEGORY)}
