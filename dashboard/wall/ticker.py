"""The ticker's events, made from the changes the push hub reads (pure).

New incidents (上报), closures (结案), breaches (超期, a case whose stored SLA state turned
overdue) and new video alarms (视频告警), newest first. Titles come from the summaries, which
carry no personal data. After a (re)start the ticker is refilled from the newest reports and
the tails of the changes and alarm-changes streams (``seed``), so a restarted wall does not
show an empty ticker.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dashboard.wall.openset import OpenCase


@dataclass(frozen=True)
class TickerItem:
    key: str
    kind: str  # report | close | breach | video
    at: float
    title: str
    area: str | None


def _at(text: str | None) -> float:
    return datetime.fromisoformat(text).timestamp() if text else 0.0


def _area(s: Mapping[str, Any]) -> str | None:
    return s.get("street") or s.get("community") or s.get("grid")


def incident_event(op: str, s: Mapping[str, Any], before: OpenCase | None) -> TickerItem | None:
    """What an incident change means for the ticker, if anything."""
    if op == "new":
        return TickerItem(
            f"report:{s['id']}", "report", _at(s.get("reported_at")), s.get("title", ""), _area(s)
        )
    if op == "close" or (before is not None and s.get("status") in ("closed", "evaluated")):
        return TickerItem(
            f"close:{s['id']}", "close", _at(s.get("updated_at")), s.get("title", ""), _area(s)
        )
    if s.get("sla") == "overdue" and before is not None and before.sla != "overdue":
        return TickerItem(
            f"breach:{s['id']}:{s.get('deadline')}",
            "breach",
            _at(s.get("updated_at")),
            s.get("title", ""),
            _area(s),
        )
    return None


def alarm_event(op: str, s: Mapping[str, Any], camera_name: str | None) -> TickerItem | None:
    if op != "new":
        return None
    label = s.get("label") or s.get("type") or ""
    title = f"{label} · {camera_name}" if camera_name else str(label)
    return TickerItem(f"video:{s['id']}", "video", _at(s.get("first_at")), title, s.get("grid"))


def seed(
    reports: Iterable[Mapping[str, Any]],
    changes: Iterable[tuple[str, Mapping[str, Any]]],
    alarms: Iterable[tuple[str, Mapping[str, Any], str | None]],
    size: int,
) -> list[TickerItem]:
    """The ticker of a wall that (re)starts, newest first, without repeats: the newest reports
    (newest first), then what the tails of the changes stream (``(op, summary)``, oldest first;
    a breach counts when the tail holds the case's state before it) and of the alarm-changes
    stream (``(op, summary, camera name)``) hold."""
    found: dict[str, TickerItem] = {}

    def keep(item: TickerItem | None) -> None:
        if item is not None:
            found[item.key] = item

    for s in reports:
        keep(incident_event("new", s, None))
    before: dict[str, OpenCase] = {}
    for op, s in changes:
        keep(incident_event(op, s, before.get(s["id"])))
        before[s["id"]] = OpenCase.of(s)
    for op, s, camera_name in alarms:
        keep(alarm_event(op, s, camera_name))
    return sorted(found.values(), key=lambda item: item.at, reverse=True)[:size]
