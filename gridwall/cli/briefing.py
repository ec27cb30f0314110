"""``gridwall briefing`` (the leaders' daily briefing as files) and ``gridwall history ...``
(the Parquet history: archive now, seed a simulated one)."""

from __future__ import annotations

import getpass
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from gridwall.cli.base import Context, cli, pass_context


def _connect(obj: Context) -> tuple[Any, Any, Any]:
    from gridwall.platform.keys import Keys  # noqa: PLC0415 - only when a command runs
    from gridwall.platform.redisconn import connect  # noqa: PLC0415

    settings = obj.settings()
    return settings, connect(obj.redis_url(settings)), Keys(settings.county)


@cli.command()
@click.option("--date", "day", help="Day (YYYY-MM-DD, local time); default: yesterday.")
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(["html", "pdf"]),
    help="html (self-contained, opens offline) and/or pdf (A4); default html.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("."),
    show_default=True,
    help="Folder to write briefing-<date>.html/.pdf into.",
)
@click.option("--lang", type=click.Choice(["zh-CN", "en"]), help="Default: briefing.language.")
@click.option("--archive", is_flag=True, help="Run the nightly archive first (when it has not).")
@pass_context
def briefing(
    obj: Context,
    day: str | None,
    formats: tuple[str, ...],
    out: Path,
    lang: str | None,
    archive: bool,
) -> None:
    """Write the daily briefing of a day (default yesterday) as HTML and/or PDF."""
    from dashboard.briefing.generate import Generator, NoHistory, yesterday  # noqa: PLC0415
    from dashboard.briefing.pdf import PdfError  # noqa: PLC0415
    from gridwall.access.audit import AuditAction, audit  # noqa: PLC0415
    from gridwall.history.archive import archiver_for  # noqa: PLC0415
    from gridwall.refdata.registry import load_registry  # noqa: PLC0415

    settings, client, keys = _connect(obj)
    if lang:
        settings = settings.model_copy(
            update={"briefing": settings.briefing.model_copy(update={"language": lang})}
        )
    tz = ZoneInfo(settings.timezone)
    target = _day(day, tz) if day else yesterday(tz)
    if target >= datetime.now(tz).date():
        raise click.ClickException(f"{target} has not ended yet: a briefing is of a past day")
    chosen = formats or ("html",)
    generator = Generator(settings, lambda: load_registry(client, keys), client)
    if archive and not generator.available(target):
        archiver_for(client, keys, settings).run()
    steps = ("history", "figures", "html", "pdf", "saved")
    with click.progressbar(length=len(steps), label=f"briefing {target}", file=sys.stderr) as bar:
        try:
            made = generator.generate(target, chosen, keep=False, progress=lambda _s: bar.update(1))
        except NoHistory:
            raise click.ClickException(
                f"no history closes {target} yet: the worker archives each day at "
                f"{settings.history.archive_time}; run `gridwall history archive` (or add "
                "--archive) to archive now"
            ) from None
        except PdfError as exc:
            raise click.ClickException(str(exc)) from None
    out.mkdir(parents=True, exist_ok=True)
    for kind in chosen:
        path = out / f"briefing-{target.isoformat()}.{kind}"
        path.write_bytes(made.contents[kind])
        click.echo(str(path))
        audit(client, keys, AuditAction.EXPORT, actor=f"cli:{getpass.getuser()}", via="cli",
              target=f"briefing:{target.isoformat()}", detail={"format": kind})  # fmt: skip


def _day(text: str, tz: ZoneInfo) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a date (YYYY-MM-DD)", param_hint="--date"
        ) from None


@cli.group()
def history() -> None:
    """The Parquet history: closed cases and nightly snapshots, per day."""


@history.command("archive")
@pass_context
def archive_now(obj: Context) -> None:
    """Run the nightly archive now: closed cases and a snapshot of the open ones to the files,
    old cases out of Redis, old files deleted."""
    from gridwall.history.archive import archiver_for  # noqa: PLC0415

    settings, client, keys = _connect(obj)
    result = archiver_for(client, keys, settings).run()
    click.echo(
        f"{result.closed} closed cases written, {result.snapshot} open cases in the snapshot of "
        f"{result.day}, {result.pruned} cases and {result.dedup} de-duplication entries removed "
        f"from Redis, {result.days_deleted} expired day folders deleted"
    )


@history.command("seed")
@click.option("--days", type=int, help="Days of history (default simulator.history_days).")
@click.option("--per-day", type=int, help="Cases per day (default simulator.history_per_day).")
@click.option("--quiet-if-present", is_flag=True, help="Do nothing when a history exists.")
@pass_context
def seed(obj: Context, days: int | None, per_day: int | None, quiet_if_present: bool) -> None:
    """Write simulated history of the county in Redis (the demo does this on its first start)."""
    from gridwall.engine.cases.rules import Rules  # noqa: PLC0415
    from gridwall.engine.sla.policy import load_policies  # noqa: PLC0415
    from gridwall.history.store import HistoryStore, history_folder  # noqa: PLC0415
    from gridwall.refdata.registry import load_registry  # noqa: PLC0415
    from gridwall.sim.seed import restore_day_stats, seed_history  # noqa: PLC0415

    settings, client, keys = _connect(obj)
    store = HistoryStore(history_folder(settings))
    conf = settings.simulator
    count = days if days is not None else conf.history_days
    if not store.empty() or count < 1:
        store.clear_seeding()
        if quiet_if_present or count < 1:
            return
        raise click.ClickException(f"{store.folder} already holds a history")
    registry = load_registry(client, keys)
    if not registry.areas:
        store.clear_seeding()
        raise click.ClickException("no reference data: run `gridwall import demo-county` first")
    tz = ZoneInfo(settings.timezone)
    result = seed_history(
        registry,
        Rules(load_policies(settings.sla.policy_file, tz), registry),
        store,
        tz=tz,
        today=datetime.now(tz).date(),
        days=count,
        per_day=per_day if per_day is not None else conf.history_per_day,
        seed=conf.seed,
    )
    restore_day_stats(client, keys, store, datetime.now(tz).date())  # the wall's trend
    click.echo(
        f"history: {result.days} days, {result.cases} simulated cases ({result.closed} closed, "
        f"{result.open_at_end} open) written to {store.folder} in {result.seconds:.1f} s"
    )
