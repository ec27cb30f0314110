"""The simulated cameras of the demo county: heartbeats and now and then an alarm.

Deterministic for a seed: most cameras send a heartbeat every ``heartbeat_s`` (so the wall's
camera layer shows them online), a share of them never do (offline), and alarms of the usual
kinds (intrusion, line crossing, loitering, objects left, crowds, tampering, now and then
smoke or fire) arrive as a Poisson stream from the online ones. Everything goes through the
same ``AlarmIntake`` as a camera's own push, as source ``camsim``.
"""

from __future__ import annotations

import json
import logging
import random
import threading
from datetime import datetime
from typing import Any

from feeds.alarms.devices import DeviceAlarm, DeviceHeartbeat, DeviceItem, Identity
from feeds.alarms.intake import AlarmIntake
from gridwall.contract.health import HealthRecorder
from gridwall.refdata.model import Camera
from gridwall.refdata.registry import Registry

log = logging.getLogger(__name__)

SOURCE = "camsim"
#: Alarm types and their relative frequency.
KINDS = {
    "intrusion": 5,
    "line_crossing": 5,
    "loitering": 4,
    "left_object": 3,
    "crowd": 2,
    "tamper": 2,
    "video_loss": 1,
    "fire": 0.4,
}


def _identity(camera: Camera) -> Identity:
    first = camera.identities[0]
    return Identity(kind=first.kind, value=first.value)


class CameraSimulator:
    def __init__(
        self,
        registry: Registry,
        alarms: AlarmIntake,
        health: HealthRecorder,
        seed: int,
        *,
        alarms_per_min: float,
        offline_share: float,
        heartbeat_s: float = 120.0,
    ) -> None:
        self.registry = registry
        self.alarms = alarms
        self.health = health
        self.rng = random.Random(seed + 7)
        cameras = sorted((c for c in registry.cameras.values() if c.identities), key=lambda c: c.id)
        self.rng.shuffle(cameras)
        dead = round(len(cameras) * offline_share)
        self.online, self.offline = cameras[dead:], cameras[:dead]
        self.alarms_per_min = alarms_per_min
        self.heartbeat_s = heartbeat_s

    def _send(self, items: list[DeviceItem], now: datetime, note: dict[str, Any]) -> None:
        raw = json.dumps(note, ensure_ascii=False).encode()
        plan = self.alarms.plan(SOURCE, items, raw, self.registry, received=now)
        taken = self.alarms.take(plan)
        self.health.event(SOURCE, taken.alarms + taken.heartbeats)

    def heartbeats(self, now: datetime) -> None:
        items: list[DeviceItem] = [
            DeviceHeartbeat(identities=(_identity(c),), device_time=now, vendor="sim")
            for c in self.online
        ]
        for start in range(0, len(items), 500):
            self._send(items[start : start + 500], now, {"heartbeats": len(items)})

    def alarm(self, now: datetime) -> None:
        camera = self.rng.choice(self.online)
        kind = self.rng.choices(list(KINDS), weights=list(KINDS.values()))[0]
        item = DeviceAlarm(
            identities=(_identity(camera),),
            alarm_type=kind,
            device_time=now,
            description=f"simulated {kind}",
            vendor="sim",
        )
        self._send([item], now, {"camera": camera.id, "type": kind})

    def run(self, stop: threading.Event, tz: Any, tick: float = 1.0) -> None:
        if not self.online:  # nothing to simulate; stay up like the other threads
            stop.wait()
            return
        log.info(
            "camera simulator: %d cameras online, %d offline, %.1f alarms/min",
            len(self.online),
            len(self.offline),
            self.alarms_per_min,
        )
        last_beat = 0.0
        while not stop.is_set():
            now = datetime.now(tz)
            if now.timestamp() - last_beat >= self.heartbeat_s:
                self.heartbeats(now)
                last_beat = now.timestamp()
            if self.rng.random() < self.alarms_per_min / 60 * tick:
                self.alarm(now)
            self.health.flush()
            stop.wait(tick)
