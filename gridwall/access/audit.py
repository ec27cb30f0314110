"""The audit trail: an append-only stream of who did what, when, from where.

``audit()`` is the one function every part calls (HTTP routes use
``gridwall.web.deps.audit_request``, which fills in the caller and address). Entries are never
changed; those older than ``audit.hot_days`` are moved to daily JSON-lines files by
``archive_audit`` and the files are deleted after ``audit.retention_days``. Details pass
through ``gridwall.access.privacy.mask_text``: the trail says that a case was unmasked and why,
never the personal data itself.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, TypedDict, Unpack

import redis
import redis.asyncio as aredis
from pydantic import BaseModel, ConfigDict, Field

from gridwall.access.privacy import mask_text
from gridwall.access.roles import Principal
from gridwall.platform.keys import Keys


class AuditAction(StrEnum):
    """The actions recorded (other parts may add their own kebab-case names)."""

    LOGIN = "login"
    LOGIN_FAILED = "login-failed"
    LOGOUT = "logout"
    KIOSK_OPENED = "kiosk-opened"
    UNMASK = "unmask"
    INCIDENT_ACTION = "incident-action"
    ALARM_ACK = "alarm-ack"
    USER_ADDED = "user-added"
    USER_DISABLED = "user-disabled"
    USER_ENABLED = "user-enabled"
    USER_PASSWORD = "user-password"  # noqa: S105
    USER_UNLOCKED = "user-unlocked"
    TOKEN_ISSUED = "token-issued"  # noqa: S105
    TOKEN_REVOKED = "token-revoked"  # noqa: S105
    SOURCE_CHANGED = "source-changed"
    EXPORT = "export"
    RETENTION_PURGE = "retention-purge"
    AUDIT_ARCHIVED = "audit-archived"


class AuditEntry(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    at: str
    actor: str
    role: str = ""
    via: str = ""
    remote: str = ""
    action: str
    target: str = ""
    outcome: str = "ok"
    detail: dict[str, Any] = Field(default_factory=dict)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)[:500]
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


class AuditDetails(TypedDict, total=False):
    """The optional parts of an audit entry."""

    target: str  # what was acted on: an incident id, a user name, a source ...
    remote: str  # the caller's address
    outcome: str  # "ok" (default), "denied", a failure reason ...
    detail: Mapping[str, Any] | None  # anything else, as JSON (personal numbers masked)
    via: str  # how the actor authenticated: bearer, session, password, cli, system ...
    now: datetime | None


def audit_fields(
    action: str, *, actor: Principal | str, **details: Unpack[AuditDetails]
) -> dict[str, str]:
    """The stream fields of one audit entry (pure)."""
    name = actor.name if isinstance(actor, Principal) else actor
    role = actor.role.value if isinstance(actor, Principal) else ""
    now = details.get("now") or datetime.now(UTC)
    return {
        "at": now.isoformat(timespec="milliseconds"),
        "actor": mask_text(name)[:64],
        "role": role,
        "via": details.get("via", ""),
        "remote": details.get("remote", ""),
        "action": str(action),
        "target": mask_text(details.get("target", ""))[:200],
        "outcome": details.get("outcome", "ok"),
        "detail": json.dumps(_clean(dict(details.get("detail") or {})), ensure_ascii=False),
    }


def audit(
    client: redis.Redis,
    keys: Keys,
    action: str,
    *,
    actor: Principal | str,
    **details: Unpack[AuditDetails],
) -> str:
    """Append one entry to the audit stream; returns its id.

    ``audit(client, keys, AuditAction.SOURCE_CHANGED, actor=principal, target="hotline",
    remote=address, detail={"change": "token rotated"})``
    """
    entry = client.xadd(keys.audit, audit_fields(action, actor=actor, **details))  # type: ignore[arg-type]
    return _text(entry)


async def audit_async(client: aredis.Redis, keys: Keys, fields: dict[str, str]) -> str:
    """Append prepared ``audit_fields`` (the web server's async path)."""
    return _text(await client.xadd(keys.audit, fields))  # type: ignore[arg-type]


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def parse_entry(entry_id: Any, fields: Mapping[Any, Any]) -> AuditEntry:
    data = {_text(k): _text(v) for k, v in fields.items()}
    detail = json.loads(data.pop("detail", "{}") or "{}")
    return AuditEntry(id=_text(entry_id), detail=detail, **data)


# -- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditQuery:
    actor: str | None = None
    action: str | None = None
    target: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    before: str | None = None  # cursor: entries older than this id
    limit: int = 100

    def matches(self, entry: AuditEntry) -> bool:
        return all(
            wanted is None or wanted == got
            for wanted, got in (
                (self.actor, entry.actor),
                (self.action, entry.action),
                (self.target, entry.target),
                (self.outcome, entry.outcome),
            )
        )


#: Most entries one query looks at (filters that match little stop here, with a cursor).
SCAN_LIMIT = 50_000


def _ms_id(moment: datetime, last: bool) -> str:
    ms = int(moment.timestamp() * 1000)
    return f"{ms}-{'18446744073709551615' if last else '0'}"


def read_audit(
    client: redis.Redis, keys: Keys, query: AuditQuery
) -> tuple[list[AuditEntry], str | None]:
    """Newest first; returns the entries and the cursor of the next page (None at the end)."""
    high = f"({query.before}" if query.before else "+"
    if query.until is not None and not query.before:
        high = _ms_id(query.until, last=True)
    low = _ms_id(query.since, last=False) if query.since is not None else "-"
    found: list[AuditEntry] = []
    scanned = 0
    last_id: str | None = None
    while scanned < SCAN_LIMIT:
        batch = client.xrevrange(keys.audit, max=high, min=low, count=500)
        if not batch:
            return found, None
        for entry_id, fields in batch:
            scanned += 1
            entry = parse_entry(entry_id, fields or {})
            last_id = entry.id
            if query.matches(entry):
                found.append(entry)
                if len(found) >= query.limit:
                    return found, entry.id
        high = f"({last_id}"
    return found, last_id


# -- archiving ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveResult:
    archived: int
    files_deleted: int


def _ms(entry_id: str) -> int:
    return int(entry_id.partition("-")[0])


def _day_of(entry_id: str) -> str:
    return datetime.fromtimestamp(_ms(entry_id) / 1000, UTC).strftime("%Y-%m-%d")


def _batches(client: redis.Redis, keys: Keys, start: str, cutoff: str) -> Iterator[list[Any]]:
    while True:
        batch = client.xrange(keys.audit, min=start, max=cutoff, count=1000)
        if not batch:
            return
        yield batch
        start = f"({_text(batch[-1][0])}"


def archive_audit(
    client: redis.Redis,
    keys: Keys,
    folder: Path,
    *,
    hot_days: int,
    retention_days: int,
    now: datetime | None = None,
) -> ArchiveResult:
    """Move entries older than ``hot_days`` to ``folder/audit-YYYY-MM-DD.jsonl`` (UTC days),
    then trim them from the stream; delete files older than ``retention_days``.

    The id of the last archived entry is kept in Redis before trimming, so a crash between
    writing and trimming never writes an entry twice.
    """
    now = now or datetime.now(UTC)
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = f"({_ms_id(now - timedelta(days=hot_days), last=False)}"
    done = client.get(keys.audit_archived)
    start = f"({_text(done)}" if done else "-"
    archived = 0
    for batch in _batches(client, keys, start, cutoff):
        by_day: dict[str, list[str]] = {}
        for entry_id, fields in batch:
            entry = parse_entry(entry_id, fields or {})
            by_day.setdefault(_day_of(entry.id), []).append(entry.model_dump_json() + "\n")
        for day, lines in by_day.items():
            with (folder / f"audit-{day}.jsonl").open("a", encoding="utf-8") as handle:
                handle.writelines(lines)
                handle.flush()
                os.fsync(handle.fileno())
        last = _text(batch[-1][0])
        client.set(keys.audit_archived, last)
        archived += len(batch)
    if archived:
        last_done = _text(client.get(keys.audit_archived))
        ms, _, seq = last_done.partition("-")
        client.xtrim(keys.audit, minid=f"{ms}-{int(seq) + 1}", approximate=False)
    return ArchiveResult(
        archived=archived, files_deleted=_expire_files(folder, retention_days, now)
    )


def _expire_files(folder: Path, retention_days: int, now: datetime) -> int:
    oldest = (now - timedelta(days=retention_days)).strftime("%Y-%m-%d")
    deleted = 0
    for path in folder.glob("audit-*.jsonl"):
        day = path.stem.removeprefix("audit-")
        if day < oldest:
            path.unlink()
            deleted += 1
    return deleted
