"""Helpers shared by integration tests."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import redis

from feeds.intake import Intake
from gridwall.access.roles import Principal, Role, TokenStore
from gridwall.contract.events import Action
from gridwall.engine.incident import Incident
from gridwall.engine.processor.processor import Processor
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings

TOKEN = "test-admin-token"


def issue_admin(client: redis.Redis, keys: Keys, token: str = TOKEN) -> dict[str, str]:
    TokenStore(client, keys).issue(Principal(name="tester", role=Role.ADMIN), token)
    return {"Authorization": f"Bearer {token}"}


def issue_wall(client: redis.Redis, keys: Keys, layout: str = "desk", name: str = "lobby") -> str:
    """A wall (kiosk) token bound to ``layout``; open ``/wall/<layout>?token=...`` with it."""
    return TokenStore(client, keys).issue(Principal(name=name, role=Role.WALL, layout=layout))


#: One principal of every role, as the access tests use them.
ROLE_PRINCIPALS: dict[Role, Principal] = {
    Role.WALL: Principal(name="lobby", role=Role.WALL, layout="desk"),
    Role.OPERATOR: Principal(name="zhang", role=Role.OPERATOR),
    Role.DEPARTMENT: Principal(name="cg-staff", role=Role.DEPARTMENT, department="cg"),
    Role.LEADER: Principal(name="li", role=Role.LEADER),
    Role.ADMIN: Principal(name="root", role=Role.ADMIN),
    Role.SOURCE: Principal(name="gridapp", role=Role.SOURCE, source="gridapp"),
}


def issue_roles(client: redis.Redis, keys: Keys) -> dict[Role, dict[str, str]]:
    """A bearer header for one principal of every role."""
    store = TokenStore(client, keys)
    return {
        role: {"Authorization": f"Bearer {store.issue(principal)}"}
        for role, principal in ROLE_PRINCIPALS.items()
    }


def drain(client: redis.Redis, settings: Settings, name: str = "test-proc") -> int:
    """Process the inbox until nothing is left; returns how many entries were handled."""
    proc = Processor(
        client, Keys(settings.county), settings.processor, ZoneInfo(settings.timezone), name
    )
    proc.ensure_group()
    total = 0
    while True:
        done = proc.step(block_ms=1)
        total += done
        if done == 0:
            return total


#: A report time for tests that fix every time they compare against (actions at set moments,
#: windows of dates): pass it as ``reported_at`` with those times; never rely on it meaning "now".
FIXED_REPORTED_AT = "2026-11-27T09:30:00+08:00"


def report(n: int = 1, **kw: Any) -> dict[str, Any]:
    """A report as a grid worker's app posts it, made an hour ago (relative to the clock the
    server reads: a fixed date here would age past every limit and retention as time goes on)."""
    made = datetime.now(ZoneInfo("Asia/Shanghai")).replace(microsecond=0) - timedelta(hours=1)
    data: dict[str, Any] = {
        "source": "gridapp",
        "source_event_id": f"e-{n}",
        "category": "12",
        "urgency": "normal",
        "location": {"lon": 118.80, "lat": 31.93, "crs": "wgs84"},
        "reported_at": made.isoformat(),
        "title": f"井盖缺失 {n}",
        "reporter": {"name": "张小三", "phone": "13812341234"},
    }
    data.update(kw)
    return data


def act(
    client: redis.Redis,
    keys: Keys,
    incident_id: str,
    action: str,
    at: str | datetime,
    n: int,
    department: str | None = None,
    **params: Any,
) -> None:
    """Append one lifecycle action to the inbox, as the API would."""
    moment = datetime.fromisoformat(at) if isinstance(at, str) else at
    event = Action(
        event_id=f"act-{n}",
        source="api",
        source_event_id=f"act-{n}",
        received_at=moment,
        incident_id=incident_id,
        action=action,
        actor="tester",
        at=moment,
        department=department,
        params=params,
    )
    Intake(client, keys, ZoneInfo("Asia/Shanghai"), 1000).enqueue([event])


def sla_signals(client: redis.Redis, keys: Keys) -> list[dict[str, Any]]:
    """Every SLA signal appended to the inbox so far (parsed)."""
    found = []
    for _id, fields in client.xrange(keys.inbox):
        data = json.loads(fields[b"e"])
        if data.get("type") == "sla":
            found.append(data)
    return found


def load(client: redis.Redis, keys: Keys, incident_id: str) -> Incident:
    raw = client.get(keys.incident(incident_id))
    assert raw is not None, f"no incident {incident_id}"
    return Incident.model_validate_json(raw)


def dispatch_to(
    client: Any, r: redis.Redis, settings: Settings, incident_id: str, department: str
) -> None:
    """Accept a case and dispatch it to ``department`` (a demo-county code) as an admin."""
    headers = issue_admin(r, Keys(settings.county), token="dispatching-admin")
    for body in ({"action": "accept"}, {"action": "dispatch", "department": department}):
        res = client.post(f"/api/v1/incidents/{incident_id}/actions", json=body, headers=headers)
        assert res.status_code == 202, res.text
        drain(r, settings)


def server_env() -> dict[str, str]:
    """The environment for a server the suite starts (Redis, Mosquitto): without a preloaded
    libfaketime. ``make test-dates`` shifts the clock of the code under test; Redis cannot even
    start under libfaketime, and the servers keep the real time as a deployment's would."""
    return {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "FAKETIME")}
