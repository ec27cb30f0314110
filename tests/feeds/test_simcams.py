"""The demo's simulated cameras: heartbeats keep most of them online, alarms go in through the
alarm intake like a camera's own push."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import redis

from feeds.alarms.intake import AlarmIntake
from gridwall.contract.health import HealthRecorder
from gridwall.contract.media import MediaStore
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.refdata.registry import Registry
from gridwall.sim.simcams import SOURCE, CameraSimulator

TZ = ZoneInfo("Asia/Shanghai")


def test_heartbeats_and_alarms(
    r: redis.Redis, keys: Keys, seeded: Registry, settings: Settings, tmp_path: Path
) -> None:
    intake = AlarmIntake(r, keys, TZ, settings.alarms, MediaStore(tmp_path, 1000, 10_000))
    sim = CameraSimulator(seeded, intake, HealthRecorder(r, keys, 0), seed=1,
                          alarms_per_min=1, offline_share=0.1)  # fmt: skip
    now = datetime.now(TZ)
    sim.heartbeats(now)
    cameras = [c for c in seeded.cameras.values() if c.identities]
    assert r.hlen(keys.camera_seen) == len(sim.online) == len(cameras) - round(len(cameras) * 0.1)
    assert not {c.id for c in sim.offline} & {k.decode() for k in r.hkeys(keys.camera_seen)}
    sim.alarm(now)
    ((_id, fields),) = r.xrange(keys.inbox)
    event = json.loads(fields[b"e"])
    assert (event["type"], event["source"]) == ("alarm", SOURCE)
    assert event["camera_id"] in {c.id for c in sim.online}
    again = CameraSimulator(seeded, intake, HealthRecorder(r, keys, 0), seed=1,
                            alarms_per_min=1, offline_share=0.1)  # fmt: skip
    assert [c.id for c in again.offline] == [c.id for c in sim.offline]  # deterministic
    assert int(r.hget(keys.source_health(SOURCE), "events") or 0) >= len(sim.online) + 1
