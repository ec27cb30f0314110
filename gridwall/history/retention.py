"""Retention: personal data is kept only as long as needed (PIPL art. 19).

``purge_personal`` removes the personal fields of cases closed more than
``privacy.retention_days`` ago: the reporter (name, phone, ID number, address) is dropped,
free text keeps its words with phone and ID-card numbers masked, and the case's history
records the purge. It also drops dead letters older than the retention (their raw payloads may
hold personal data) and asks every history store outside Redis (``PersonalArchive``, e.g. the
Parquet history) to do the same. The purge is logged (counts only) and audited.

It runs in the worker (``gridwall.history.housekeeping``) and as ``gridwall privacy purge``. It
writes incident documents with WATCH/MULTI like the processor, so the two never overwrite each
other.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import redis

from gridwall.access.audit import AuditAction, audit
from gridwall.access.privacy import purge_paths
from gridwall.contract.events import personal_paths
from gridwall.engine.incident import Incident, Status, Transition
from gridwall.platform.keys import Keys

log = logging.getLogger(__name__)

INCIDENT_PATHS = personal_paths(Incident)
PURGE_ACTION = "purge-personal"
ACTOR = "system:retention"


class PersonalArchive(Protocol):
    """A history store outside Redis that holds personal fields of closed cases."""

    name: str

    def purge_personal(self, closed_before: datetime) -> int:
        """Remove personal fields of cases closed before the moment; returns how many."""
        ...


@dataclass(frozen=True)
class PurgeResult:
    incidents: int
    deadletters: int
    archives: dict[str, int] = field(default_factory=dict)


def purge_incident(incident: Incident, now: datetime) -> Incident:
    """The case without its personal data, its history saying so (pure)."""
    data = purge_paths(incident.model_dump(mode="json"), INCIDENT_PATHS)
    purged = Incident.model_validate(data)
    entry = Transition(
        at=now,
        action=PURGE_ACTION,
        actor=ACTOR,
        from_status=incident.status,
        to_status=incident.status,
        note="",
        event_id=f"{PURGE_ACTION}-{int(now.timestamp())}",
    )
    return purged.model_copy(
        update={
            "reporter": None,  # nothing of it is kept
            "history": [*purged.history, entry],
            "version": incident.version + 1,
        }
    )


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _purge_batch(client: redis.Redis, keys: Keys, ids: list[str], now: datetime) -> int:
    doc_keys = [keys.incident(i) for i in ids]
    for _attempt in range(20):
        with client.pipeline(transaction=True) as pipe:
            try:
                pipe.watch(*doc_keys)  # type: ignore[no-untyped-call]
                docs = pipe.mget(doc_keys)
                pipe.multi()
                purged = 0
                for raw in docs:
                    if raw is None:
                        continue
                    incident = Incident.model_validate_json(raw)
                    if incident.status is not Status.CLOSED:
                        continue
                    pipe.set(
                        keys.incident(incident.id), purge_incident(incident, now).model_dump_json()
                    )
                    purged += 1
                pipe.zrem(keys.closed_index, *ids)
                pipe.execute()
                return purged
            except redis.WatchError:
                continue
    raise RuntimeError("incidents kept changing during the retention purge")


def purge_personal(
    client: redis.Redis,
    keys: Keys,
    retention_days: int,
    now: datetime,
    *,
    archives: Sequence[PersonalArchive] = (),
    batch: int = 200,
) -> PurgeResult:
    """Purge personal data older than the retention everywhere; returns what was purged."""
    cutoff = now - timedelta(days=retention_days)
    incidents = 0
    while True:
        ids = [
            _text(i)
            for i in client.zrangebyscore(
                keys.closed_index, "-inf", cutoff.timestamp(), start=0, num=batch
            )
        ]
        if not ids:
            break
        incidents += _purge_batch(client, keys, ids, now)
    deadletters = int(
        client.xtrim(
            keys.deadletter, minid=f"{int(cutoff.timestamp() * 1000)}-0", approximate=False
        )
    )
    done = {archive.name: archive.purge_personal(cutoff) for archive in archives}
    result = PurgeResult(incidents=incidents, deadletters=deadletters, archives=done)
    if incidents or deadletters or any(done.values()):
        log.info(
            "retention purge: personal data of %d closed cases removed, %d dead letters dropped"
            " (closed before %s)%s",
            incidents,
            deadletters,
            cutoff.isoformat(timespec="seconds"),
            "".join(f", {n}: {c}" for n, c in done.items()),
        )
        audit(
            client,
            keys,
            AuditAction.RETENTION_PURGE,
            actor=ACTOR,
            via="system",
            detail={
                "incidents": incidents,
                "deadletters": deadletters,
                "archives": done,
                "closed_before": cutoff.isoformat(timespec="seconds"),
            },
        )
    return result
