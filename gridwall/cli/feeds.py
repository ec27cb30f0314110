"""Feeds: ``intake`` (listeners and clients), ``backfill`` (files), ``sources`` (credentials,
checking the feeds file)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

import click
import yaml

from feeds.adapters.registry import FeedsError
from gridwall.cli.base import Context, cli, pass_context, runtime_or_exit
from gridwall.contract.events import SOURCE_PATTERN
from gridwall.platform.redisconn import RedisUnavailable

if TYPE_CHECKING:
    from feeds.adapters.mapping import FieldMapping
    from feeds.sources.credentials import SourceTokens

_SOURCE = re.compile(SOURCE_PATTERN)


def _source_id(value: str) -> str:
    if not _SOURCE.match(value):
        raise click.BadParameter(f"{value!r} is not a source id (a-z, 0-9, _ . -)")
    return value


@cli.command()
@click.option("--host", help="Address of the HTTP intake.")
@click.option("--port", type=int, help="Port of the HTTP intake.")
@click.option(
    "--feeds",
    "feeds_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Feeds file (default: the feeds.file setting).",
)
@click.option("--no-listeners", is_flag=True, help="Serve the HTTP intake only (no clients).")
@pass_context
def intake(
    obj: Context, host: str | None, port: int | None, feeds_file: Path | None, no_listeners: bool
) -> None:
    """Run the HTTP intake and the configured listeners and clients (SIP, MQTT, websocket,
    Dahua, Open311)."""
    import uvicorn  # noqa: PLC0415

    from gridwall.processes.procs import tune_gc  # noqa: PLC0415
    from gridwall.processes.server import create_app  # noqa: PLC0415

    overrides: dict[str, object] = {
        "http": {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    }
    if feeds_file is not None:
        overrides["feeds"] = {"file": feeds_file}
    settings = obj.settings(**overrides)
    url = obj.redis_url(settings)
    try:
        app = create_app(settings, url, ["intake"], adapters=not no_listeners)
    except (RedisUnavailable, FeedsError) as exc:
        raise click.ClickException(str(exc)) from None
    app.state.runtime.registry.get()  # loaded before the collector is tuned (frozen with the rest)
    tune_gc()
    uvicorn.run(
        app,
        host=settings.http.host,
        port=settings.http.port,
        log_level="info",
        access_log=False,  # a line per camera post would cost more than the post itself
        proxy_headers=True,
    )


@cli.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--source",
    "source",
    required=True,
    callback=lambda c, p, v: _source_id(v),
    help="Source id the rows are recorded under.",
)
@click.option(
    "--mapping",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Mapping file (TOML/YAML): column → event field (see docs/feeds.md).",
)
@click.option(
    "--report",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where refused rows are written (default FILE.errors.csv).",
)
@click.option("--restart", is_flag=True, help="Start over instead of resuming.")
@pass_context
def backfill(
    obj: Context,
    file: Path,
    source: str,
    mapping: Path | None,
    report: Path | None,
    restart: bool,
) -> None:
    """Backfill a CSV or XLSX export (resumable, idempotent; report times kept)."""
    from feeds.adapters.file.adapter import Backfill  # noqa: PLC0415
    from feeds.adapters.file.config import FileSource  # noqa: PLC0415
    from feeds.adapters.mapping import identity_mapping  # noqa: PLC0415
    from feeds.adapters.registry import load_feeds  # noqa: PLC0415
    from feeds.sources.sink import FeedSink  # noqa: PLC0415
    from gridwall.contract.refusal import PayloadError  # noqa: PLC0415
    from gridwall.runtime import Runtime  # noqa: PLC0415

    settings = obj.settings()
    rt = runtime_or_exit(Runtime, settings, obj.redis_url(settings))
    try:
        feeds = load_feeds(settings.feeds.file)
    except FeedsError as exc:
        raise click.ClickException(str(exc)) from None
    configured = feeds.get(source)
    if configured is not None and not isinstance(configured, FileSource):
        raise click.ClickException(f"source {source!r} is a {configured.type} source, not a file")
    chosen = _load_mapping(mapping) if mapping else None
    if chosen is None:
        chosen = configured.mapping if configured is not None else identity_mapping()
    try:
        run = Backfill(
            FeedSink(rt),
            source,
            chosen,
            file,
            report=report,
            encoding=configured.encoding if configured else None,
            sheet=configured.sheet if configured else None,
        )
        if restart:
            run.restart()
        total, done = run.total(), run.done()
        if done and not restart:
            click.echo(f"resuming after row {done}")
        with click.progressbar(length=total, label=f"backfill {file.name}") as bar:
            result = run.run(bar.update)
    except PayloadError as exc:
        raise click.ClickException(f"{file.name}: {exc.reason}") from None
    click.echo(
        f"{result.rows} rows read ({result.skipped} already done): {result.accepted} accepted, "
        f"{result.duplicates} duplicates, {result.refused} refused"
    )
    if result.refused:
        click.echo(f"refused rows and their reasons: {result.report}")


def _load_mapping(path: Path) -> FieldMapping:
    from pydantic import ValidationError  # noqa: PLC0415

    from feeds.adapters.mapping import FieldMapping  # noqa: PLC0415

    try:
        text = path.read_text(encoding="utf-8")
        is_toml = path.suffix.lower() == ".toml"
        data = tomllib.loads(text) if is_toml else yaml.safe_load(text)
        return FieldMapping.model_validate(data or {})
    except (OSError, tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise click.ClickException(f"cannot read mapping {path}: {exc}") from None
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise click.ClickException(f"mapping {path}: {where}: {first['msg']}") from None


@cli.group()
def sources() -> None:
    """Sources: check the feeds file, manage source tokens."""


@sources.command("check")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
def sources_check(file: Path) -> None:
    """Validate a feeds file and list its sources."""
    from feeds.adapters.registry import load_feeds  # noqa: PLC0415

    try:
        feeds = load_feeds(file)
    except FeedsError as exc:
        raise click.ClickException(str(exc)) from None
    for source in feeds.sources:
        state = "" if source.enabled else " (disabled)"
        click.echo(f"{source.id:24} {source.type:10} {source.name}{state}")
    click.echo(f"{len(feeds.sources)} source(s), all valid")


@sources.group("token")
def token() -> None:
    """Bearer tokens of HTTP sources (stored hashed; shown once)."""


def _tokens(obj: Context) -> SourceTokens:
    from feeds.sources.credentials import SourceTokens  # noqa: PLC0415
    from gridwall.platform.keys import Keys  # noqa: PLC0415
    from gridwall.platform.redisconn import connect  # noqa: PLC0415

    settings = obj.settings()
    try:
        client = connect(obj.redis_url(settings))
    except RedisUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    return SourceTokens(client, Keys(settings.county))


@token.command("issue")
@click.argument("source", callback=lambda c, p, v: _source_id(v))
@click.option("--label", default="", help="A note shown in the list (who holds it).")
@pass_context
def token_issue(obj: Context, source: str, label: str) -> None:
    """Issue a new token for SOURCE (other tokens stay valid)."""
    click.echo(_tokens(obj).issue(source, label=label))


@token.command("rotate")
@click.argument("source", callback=lambda c, p, v: _source_id(v))
@click.option(
    "--grace",
    default="24h",
    show_default=True,
    help="How long the older tokens stay valid (e.g. 30m, 24h, 7d).",
)
@click.option("--label", default="", help="A note for the new token.")
@pass_context
def token_rotate(obj: Context, source: str, grace: str, label: str) -> None:
    """Issue a new token; older tokens of SOURCE expire after the grace period."""
    click.echo(_tokens(obj).rotate(source, grace_s=_duration(grace), label=label))


@token.command("revoke")
@click.argument("source", callback=lambda c, p, v: _source_id(v))
@click.option("--id", "token_id", help="Token id (from `list`); all tokens of SOURCE if unset.")
@pass_context
def token_revoke(obj: Context, source: str, token_id: str | None) -> None:
    """Revoke one token (by id) or every token of SOURCE."""
    count = _tokens(obj).revoke(source, token_id)
    if token_id and not count:
        raise click.ClickException(f"no token {token_id!r} of source {source!r}")
    click.echo(f"{count} token(s) revoked")


@token.command("list")
@click.argument("source", callback=lambda c, p, v: _source_id(v))
@pass_context
def token_list(obj: Context, source: str) -> None:
    """The tokens of SOURCE (ids, never the tokens)."""
    import time  # noqa: PLC0415

    now = time.time()
    for info in _tokens(obj).list(source):
        expiry = (
            "no expiry"
            if info.expires_at is None
            else (f"expires in {max(0, info.expires_at - now) / 3600:.1f} h")
        )
        state = "valid" if info.valid(now) else "expired"
        click.echo(f"{info.token_id}  {state:7}  {expiry:20} {info.label}")


_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd]?)$")


def _duration(text: str) -> float:
    match = _DURATION.match(text.strip())
    if not match:
        raise click.BadParameter(f"{text!r} is not a duration like 30m, 24h or 7d")
    unit = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]
    return float(match.group(1)) * unit
