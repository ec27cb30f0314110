"""Frigate MQTT messages (``<prefix>/events``, ``<prefix>/reviews``), docs/feeds.md, frigate. Pure.

``events``: ``new`` starts an alarm, ``end`` ends it, ``update`` only proves the camera alive;
false positives, labels not asked for and scores under ``min_score`` are dropped.
``reviews``: a review of a severity asked for (``alert`` by default) starts and ends an alarm
typed by its first object. Both name the camera by its Frigate name (identity ``frigate``), so
an event and its review merge into one alarm (same camera and type).
"""

from __future__ import annotations

import json
from typing import Any, Literal

from feeds.adapters.devicetime import from_epoch
from feeds.adapters.frigate.config import FrigateSource
from feeds.alarms.devices import DeviceAlarm, DeviceHeartbeat, DeviceItem, Identity
from gridwall.contract.alarmtypes import FRIGATE, OTHER
from gridwall.contract.refusal import PayloadError
from gridwall.refdata.model import IdentityKind

VENDOR = "frigate"
_PHASES: dict[str, Literal["start", "end"]] = {"new": "start", "end": "end"}


def _load(payload: bytes) -> tuple[str, dict[str, Any]]:
    try:
        data = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadError(f"message is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise PayloadError("message is not a JSON object")
    after = data.get("after")
    if not isinstance(after, dict):
        raise PayloadError("message has no 'after' object", "after")
    kind = data.get("type")
    if kind not in ("new", "update", "end"):
        raise PayloadError(f"unknown message type {kind!r}", "type")
    return str(kind), after


def _camera(after: dict[str, Any]) -> Identity:
    camera = after.get("camera")
    if not isinstance(camera, str) or not camera.strip() or len(camera) > 100:
        raise PayloadError("message names no camera", "camera")
    return Identity(IdentityKind.FRIGATE, camera.strip())


def _time(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return from_epoch(float(value), "time")
        except PayloadError:
            return None
    return None


def parse_message(topic: str, payload: bytes, source: FrigateSource) -> list[DeviceItem]:
    """One MQTT message → items; ``topic`` is ``events`` or ``reviews`` (prefix removed)."""
    kind, after = _load(payload)
    camera = _camera(after)
    if topic == "reviews":
        return _review(kind, after, camera, source)
    return _event(kind, after, camera, source)


def _event(
    kind: str, after: dict[str, Any], camera: Identity, source: FrigateSource
) -> list[DeviceItem]:
    if kind == "update" or after.get("false_positive") is True:
        return [DeviceHeartbeat((camera,), None, VENDOR)]
    label = str(after.get("label") or "")
    score = after.get("top_score") or after.get("score") or 0
    if not isinstance(score, int | float) or isinstance(score, bool):
        score = 0
    if (source.labels and label not in source.labels) or score < source.min_score:
        return [DeviceHeartbeat((camera,), None, VENDOR)]
    frigate_id = str(after.get("id") or "")[:100]
    if not frigate_id:
        raise PayloadError("event has no id", "id")
    phase = _PHASES[kind]
    zones = after.get("entered_zones") or after.get("current_zones") or []
    extra: dict[str, Any] = {
        "label": label[:40],
        "score": round(float(score), 3),
        "frigate_id": frigate_id,
    }
    if isinstance(after.get("sub_label"), str):
        extra["sub_label"] = after["sub_label"][:60]
    if isinstance(zones, list) and zones:
        extra["zones"] = ",".join(str(z) for z in zones)[:200]
    urls: tuple[str, ...] = ()
    if source.frigate_url is not None and after.get("has_snapshot") is True:
        urls = (f"{str(source.frigate_url).rstrip('/')}/api/events/{frigate_id}/snapshot.jpg",)
    return [
        DeviceAlarm(
            identities=(camera,),
            alarm_type=FRIGATE.get(label, OTHER),
            phase=phase,
            device_time=_time(after.get("end_time" if phase == "end" else "start_time")),
            description=f"Frigate {label}",
            source_event_id=f"event:{frigate_id}:{kind}",
            snapshot_urls=urls,
            extra=extra,
            vendor=VENDOR,
        )
    ]


def _review(
    kind: str, after: dict[str, Any], camera: Identity, source: FrigateSource
) -> list[DeviceItem]:
    severity = after.get("severity")
    if kind == "update" or severity not in source.review_severities:
        return [DeviceHeartbeat((camera,), None, VENDOR)]
    review_id = str(after.get("id") or "")[:100]
    if not review_id:
        raise PayloadError("review has no id", "id")
    data = after.get("data") if isinstance(after.get("data"), dict) else {}
    objects = [str(o) for o in (data or {}).get("objects", []) if isinstance(o, str)]
    if source.labels and not set(objects) & set(source.labels):
        return [DeviceHeartbeat((camera,), None, VENDOR)]
    label = objects[0] if objects else ""
    phase = _PHASES[kind]
    zones = (data or {}).get("zones") or []
    extra: dict[str, Any] = {"label": label[:40], "severity": str(severity), "review_id": review_id}
    if isinstance(zones, list) and zones:
        extra["zones"] = ",".join(str(z) for z in zones)[:200]
    return [
        DeviceAlarm(
            identities=(camera,),
            alarm_type=FRIGATE.get(label, OTHER),
            phase=phase,
            priority=2 if severity == "alert" else None,
            device_time=_time(after.get("end_time" if phase == "end" else "start_time")),
            description=f"Frigate {severity}: {', '.join(objects)[:100]}",
            source_event_id=f"review:{review_id}:{kind}",
            extra=extra,
            vendor=VENDOR,
        )
    ]
