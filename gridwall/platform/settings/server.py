"""Settings of the HTTP server, sign-in, personal-data protection and the audit log."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from gridwall.platform.settings.base import Group


class HttpSettings(Group):
    host: str = Field("127.0.0.1", description="Address the HTTP server listens on.")
    port: int = Field(8050, ge=1, le=65535, description="Port of the HTTP server.")
    max_body_bytes: int = Field(
        1_048_576, ge=1024, description="Largest request body accepted by JSON endpoints."
    )
    max_batch_events: int = Field(
        1000, ge=1, description="Most events in one POST /api/v1/events array."
    )
    production: bool = Field(
        default=False, description="Production mode: no debug pages, secure cookies."
    )
    max_request_bytes: int = Field(
        8_388_608,
        ge=1024,
        description="Largest request body of any request (the outer limit; JSON endpoints "
        "keep max_body_bytes).",
    )
    frame_ancestors: str = Field(
        "'none'",
        description="CSP frame-ancestors: who may embed gridwall's pages in a frame.",
    )


class AuthSettings(Group):
    secret_key: SecretStr | None = Field(
        None,
        description="Key that signs session cookies (from the environment); every server of "
        "an install needs the same one. Unset: secret_key_file.",
    )
    secret_key_file: Path | None = Field(
        None,
        description="File holding the session-signing key; unset means <data_dir>/secret.key, "
        "created (mode 600) when missing.",
    )
    session_idle_s: int = Field(
        1800, ge=60, description="A person's session ends after this much inactivity."
    )
    session_absolute_s: int = Field(
        43_200, ge=300, description="A person's session ends this long after sign-in, whatever."
    )
    kiosk_idle_s: int = Field(
        604_800,
        ge=3600,
        description="A wall (kiosk) session ends after this much silence; it has no absolute "
        "limit and ends when its token is revoked.",
    )
    recheck_s: float = Field(
        30.0, gt=0, description="How often an open wall re-checks that its session is valid."
    )
    lockout_failures: int = Field(
        5, ge=1, description="Failed sign-ins of one name within lockout_window_s that lock it."
    )
    lockout_window_s: int = Field(900, ge=1, description="Window in which failures count.")
    lockout_s: int = Field(900, ge=1, description="How long a locked name stays locked.")
    password_min_length: int = Field(10, ge=6, description="Shortest password accepted.")
    password_time_cost: int = Field(3, ge=1, description="argon2id time cost (iterations).")
    password_memory_kib: int = Field(65_536, ge=8, description="argon2id memory cost in KiB.")


class PrivacySettings(Group):
    retention_days: int = Field(
        180,
        ge=1,
        description="Personal fields of cases closed this many days ago are purged (Redis and "
        "history); dead letters older than this are dropped.",
    )
    purge_interval_s: int = Field(
        3600, ge=60, description="How often the worker runs the retention purge and archiving."
    )


class AuditSettings(Group):
    hot_days: int = Field(
        90, ge=1, description="Audit entries stay in Redis (and GET /api/v1/audit) this long."
    )
    retention_days: int = Field(
        1095,
        ge=1,
        description="Audit entries are kept this long in all (Redis, then archive files).",
    )
    archive_dir: Path | None = Field(
        None, description="Folder of audit archive files; unset means <data_dir>/audit."
    )
