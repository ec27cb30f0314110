"""``gridwall privacy purge`` and ``gridwall audit ...``: retention and the audit trail by hand
(the worker runs both hourly)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import click

from gridwall.cli.base import Context, cli, pass_context


@cli.group()
def privacy() -> None:
    """Personal information: the retention purge."""


@privacy.command()
@pass_context
def purge(obj: Context) -> None:
    """Purge personal data of cases closed longer ago than privacy.retention_days, now."""
    from gridwall.history.personal import HistoryPersonalData  # noqa: PLC0415
    from gridwall.history.retention import purge_personal  # noqa: PLC0415
    from gridwall.history.store import HistoryStore, history_folder  # noqa: PLC0415
    from gridwall.platform.keys import Keys  # noqa: PLC0415
    from gridwall.platform.redisconn import connect  # noqa: PLC0415

    settings = obj.settings()
    client = connect(obj.redis_url(settings))
    tz = ZoneInfo(settings.timezone)
    history = HistoryPersonalData(HistoryStore(history_folder(settings)), tz)
    result = purge_personal(
        client,
        Keys(settings.county),
        settings.privacy.retention_days,
        datetime.now(tz),
        archives=[history],
    )
    click.echo(
        f"personal data of {result.incidents} closed cases purged, "
        f"{result.deadletters} dead letters dropped, "
        f"{result.archives.get(history.name, 0)} cases purged in the history files"
    )


@cli.group("audit")
def audit_group() -> None:
    """The audit trail: show recent entries, archive old ones."""


@audit_group.command()
@pass_context
def archive(obj: Context) -> None:
    """Move audit entries older than audit.hot_days to the archive files, now."""
    from gridwall.access.audit import archive_audit  # noqa: PLC0415
    from gridwall.history.housekeeping import archive_folder  # noqa: PLC0415
    from gridwall.platform.keys import Keys  # noqa: PLC0415
    from gridwall.platform.redisconn import connect  # noqa: PLC0415

    settings = obj.settings()
    client = connect(obj.redis_url(settings))
    folder = archive_folder(settings)
    result = archive_audit(
        client,
        Keys(settings.county),
        folder,
        hot_days=settings.audit.hot_days,
        retention_days=settings.audit.retention_days,
    )
    click.echo(
        f"{result.archived} entries archived to {folder}, {result.files_deleted} expired files "
        "deleted"
    )


@audit_group.command()
@click.option("--action", help="Only this action (login, unmask, ...).")
@click.option("--actor", help="Only this actor.")
@click.option("--limit", type=int, default=20, show_default=True)
@pass_context
def show(obj: Context, action: str | None, actor: str | None, limit: int) -> None:
    """Print the newest audit entries."""
    from gridwall.access.audit import AuditQuery, read_audit  # noqa: PLC0415
    from gridwall.platform.keys import Keys  # noqa: PLC0415
    from gridwall.platform.redisconn import connect  # noqa: PLC0415

    settings = obj.settings()
    client = connect(obj.redis_url(settings))
    entries, _ = read_audit(
        client, Keys(settings.county), AuditQuery(action=action, actor=actor, limit=limit)
    )
    for e in entries:
        click.echo(f"{e.at}  {e.actor:<16} {e.action:<16} {e.target:<24} {e.outcome} {e.remote}")
