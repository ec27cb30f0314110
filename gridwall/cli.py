"""The ``gridwall`` command.

Every command that needs Redis takes ``REDIS_URL``, or ``--data-dir`` to reach the embedded
Redis of a demo running there. Errors are one clear line, never a traceback.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from feeds.redisconn import RedisUnavailable, resolve_url
from feeds.settings import Settings, SettingsError, load_settings
from gridwall import __version__

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
    ctx.obj = Context(config, data_dir)


@cli.command()
@click.option("--host", help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (default 8050).")
@click.option("--data-dir", "demo_data_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--seed", type=int, help="Seed of the simulated county and events.")
@click.option("--rate", type=float, help="Simulated reports per minute (average).")
@click.option("--no-simulator", is_flag=True, help="Run without the simulated feed.")
@click.option("--no-browser", is_flag=True, help="Do not open the wall in a browser.")
@pass_context
def demo(
    obj: Context,
    host: str | None,
    port: int | None,
    demo_data_dir: Path | None,
    seed: int | None,
    rate: float | None,
    no_simulator: bool,
    no_browser: bool,
) -> None:
    """Run everything on an embedded Redis with a simulated county."""
    from gridwall.demo import DemoOptions, run_demo  # noqa: PLC0415 - heavy imports

    if demo_data_dir is not None:
        obj.data_dir = demo_data_dir
    settings = obj.settings(
        http={k: v for k, v in {"host": host, "port": port}.items() if v is not None},
        simulator={k: v for k, v in {"seed": seed, "rate": rate}.items() if v is not None},
    )
    try:
        run_demo(settings, DemoOptions(simulator=not no_simulator, browser=not no_browser))
    except RedisUnavailable as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@pass_context
def worker(obj: Context) -> None:
    """Run the processor (one writer of incident state)."""
    from feeds.processor import Processor  # noqa: PLC0415
    from feeds.runtime import Runtime  # noqa: PLC0415
    from gridwall.procs import run_threads  # noqa: PLC0415

    settings = obj.settings()
    rt = _runtime(Runtime, settings, obj.redis_url(settings))
    processor = Processor(rt.client, rt.keys, settings.processor, rt.tz)
    run_threads({"processor": processor.run})


@cli.command()
@click.option("--seed", type=int, help="Seed of the event sequence.")
@click.option("--rate", type=float, help="Reports per minute (average over the day).")
@pass_context
def simulate(obj: Context, seed: int | None, rate: float | None) -> None:
    """Feed simulated reports of the demo county into the inbox."""
    from feeds.runtime import Runtime  # noqa: PLC0415
    from feeds.simulator import Simulator  # noqa: PLC0415
    from gridwall.procs import run_threads  # noqa: PLC0415

    settings = obj.settings(
        simulator={k: v for k, v in {"seed": seed, "rate": rate}.items() if v is not None}
    )
    rt = _runtime(Runtime, settings, obj.redis_url(settings))
    registry = rt.registry.get()
    if not registry.areas:
        raise click.ClickException("no reference data: run `gridwall import demo-county` first")
    sim = Simulator(registry, rt.intake, settings.simulator.seed, settings.simulator.rate)
    run_threads({"simulator": lambda stop: sim.run(stop, rt.tz)})


@cli.command()
@click.option("--host", help="Address to listen on.")
@click.option("--port", type=int, help="Port to listen on.")
@click.option(
    "--part",
    "parts",
    multiple=True,
    type=click.Choice(["intake", "api", "wall"]),
    help="Serve only these parts (default: all).",
)
@pass_context
def serve(obj: Context, host: str | None, port: int | None, parts: tuple[str, ...]) -> None:
    """Serve the HTTP intake, the read API and the wall (production)."""
    import uvicorn  # noqa: PLC0415

    from gridwall.server import ALL_PARTS, create_app  # noqa: PLC0415

    settings = obj.settings(
        http={k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    )
    url = obj.redis_url(settings)
    chosen = [p for p in ALL_PARTS if not parts or p in parts]
    try:
        app = create_app(settings, url, chosen)
    except RedisUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    uvicorn.run(
        app,
        host=settings.http.host,
        port=settings.http.port,
        log_level="info",
        ws="websockets-sansio",
        proxy_headers=True,
    )


@cli.group("import")
def import_group() -> None:
    """Import reference data."""


@import_group.command("demo-county")
@click.option("--seed", type=int, help="Seed of the generated county.")
@pass_context
def import_demo_county(obj: Context, seed: int | None) -> None:
    """Generate the demo county and store it as the reference data."""
    from feeds.keys import Keys  # noqa: PLC0415
    from feeds.redisconn import connect  # noqa: PLC0415
    from feeds.refdata.demo import generate_county  # noqa: PLC0415
    from feeds.refdata.registry import store_registry  # noqa: PLC0415

    settings = obj.settings(simulator={"seed": seed} if seed is not None else {})
    client = connect(obj.redis_url(settings))
    registry = generate_county(settings.county, settings.county_name, settings.simulator.seed)
    version = store_registry(client, Keys(settings.county), registry)
    click.echo(f"demo county stored: {len(registry.areas)} areas, version {version}")


def _runtime(factory: Any, settings: Settings, url: str) -> Any:
    try:
        return factory.create(settings, url)
    except RedisUnavailable as exc:
        raise click.ClickException(str(exc)) from None


def main() -> None:
    try:
        cli(prog_name="gridwall")
    except KeyboardInterrupt:
        sys.exit(130)
