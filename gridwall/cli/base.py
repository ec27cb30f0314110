"""The ``gridwall`` command group, its shared options and helpers.

Every command that needs Redis takes ``REDIS_URL``, or ``--data-dir`` to reach the embedded
Redis of a demo running there. Errors are one clear line, never a traceback.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import click

from gridwall import __version__
from gridwall.access.privacy import install_log_filter
from gridwall.engine.sla.policy import PolicyError
from gridwall.platform.redisconn import RedisUnavailable, resolve_url
from gridwall.platform.settings import Settings, SettingsError, load_settings

log = logging.getLogger("gridwall")


class Context:
    def __init__(self, config: Path | None, data_dir: Path | None) -> None:
        self.config = config
        self.data_dir = data_dir

    def settings(self, **overrides: Any) -> Settings:
        if self.data_dir is not None:
            overrides["data_dir"] = self.data_dir
        try:
            return load_settings(self.config, overrides)
        except SettingsError as exc:
            raise click.ClickException(str(exc)) from None

    def redis_url(self, settings: Settings) -> str:
        try:
            return resolve_url(settings)
        except RedisUnavailable as exc:
            raise click.ClickException(str(exc)) from None


pass_context = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gridwall")
@click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="GRIDWALL_CONFIG",
    help="TOML settings file (see docs/configuration.md).",
)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of the embedded Redis and archives (default: a per-user data folder).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
@click.pass_context
def cli(ctx: click.Context, config: Path | None, data_dir: Path | None, verbose: bool) -> None:
    """gridwall: real-time command-center wall for grid governance (网格化管理)."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    install_log_filter()  # no phone or ID-card number, no URL token ever reaches a log
    ctx.obj = Context(config, data_dir)


def runtime_or_exit(factory: Any, settings: Settings, url: str) -> Any:
    try:
        return factory.create(settings, url)
    except (RedisUnavailable, PolicyError) as exc:
        raise click.ClickException(str(exc)) from None
