"""The audit trail: append-only entries, filters, archiving to files and their expiry."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis

from gridwall.access.audit import AuditAction, AuditQuery, archive_audit, audit, read_audit
from gridwall.access.roles import Principal, Role
from gridwall.platform.keys import Keys

ADMIN = Principal(name="admin", role=Role.ADMIN)


def test_an_entry_says_who_when_where_what(r: redis.Redis, keys: Keys) -> None:
    entry_id = audit(
        r,
        keys,
        AuditAction.UNMASK,
        actor=Principal(name="zhang", role=Role.OPERATOR),
        target="320115-20261127-00001",
        remote="10.0.0.7",
        via="session",
        detail={"reason": "回访上报人 13812341234", "fields": ["reporter"]},
    )
    (entry,), cursor = read_audit(r, keys, AuditQuery())
    assert cursor is None
    assert entry.id == entry_id
    assert (entry.actor, entry.role, entry.via, entry.remote) == (
        "zhang",
        "operator",
        "session",
        "10.0.0.7",
    )
    assert entry.action == "unmask"
    assert entry.detail["reason"] == "回访上报人 138****1234"  # the trail holds no personal data
    assert datetime.fromisoformat(entry.at) <= datetime.now(UTC)


def test_filters_and_pages(r: redis.Redis, keys: Keys) -> None:
    for i in range(7):
        audit(r, keys, AuditAction.LOGIN, actor=f"user{i % 2}", outcome="ok")
        audit(r, keys, AuditAction.LOGIN_FAILED, actor="intruder", outcome="bad-credentials")
    failed, _ = read_audit(r, keys, AuditQuery(action="login-failed", limit=100))
    assert len(failed) == 7
    assert {e.actor for e in failed} == {"intruder"}
    page1, cursor = read_audit(r, keys, AuditQuery(actor="user1", limit=2))  # i = 5, 3
    assert len(page1) == 2
    assert cursor is not None
    page2, cursor2 = read_audit(r, keys, AuditQuery(actor="user1", limit=2, before=cursor))
    assert len(page2) == 1  # i = 1
    assert cursor2 is None
    assert page1[-1].id > page2[0].id  # newest first, no overlap
    future, _ = read_audit(r, keys, AuditQuery(since=datetime.now(UTC) + timedelta(days=1)))
    assert future == []


def test_old_entries_move_to_daily_files_and_expire(
    r: redis.Redis, keys: Keys, tmp_path: Path
) -> None:
    for i in range(5):
        audit(r, keys, AuditAction.EXPORT, actor=ADMIN, target=f"t{i}")
    later = datetime.now(UTC) + timedelta(days=91)
    result = archive_audit(r, keys, tmp_path, hot_days=90, retention_days=1095, now=later)
    assert result.archived == 5
    assert r.xlen(keys.audit) == 0
    (path,) = tmp_path.glob("audit-*.jsonl")
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [line["target"] for line in lines] == [f"t{i}" for i in range(5)]
    again = archive_audit(r, keys, tmp_path, hot_days=90, retention_days=1095, now=later)
    assert again.archived == 0  # never written twice
    assert len(path.read_text(encoding="utf-8").splitlines()) == 5
    audit(r, keys, AuditAction.EXPORT, actor=ADMIN, target="recent")
    assert archive_audit(r, keys, tmp_path, hot_days=90, retention_days=1095).archived == 0
    assert r.xlen(keys.audit) == 1  # young entries stay in Redis
    expired = archive_audit(
        r, keys, tmp_path, hot_days=90, retention_days=1095, now=later + timedelta(days=1100)
    )
    assert expired.files_deleted == 1
    assert not path.exists()
