"""Running gridwall: ``demo``, ``serve``, ``worker``, ``simulate``."""

from __future__ import annotations

from pathlib import Path

import click

from feeds.redisconn import RedisUnavailable
from feeds.sources.config import FeedsError
from gridwall.cli.base import Context, cli, pass_context, runtime_or_exit


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
    except (RedisUnavailable, FeedsError) as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@pass_context
def worker(obj: Context) -> None:
    """Run the processor (one writer of incident state)."""
    from feeds.alarms.stage import AlarmStage  # noqa: PLC0415
    from feeds.processor import Processor  # noqa: PLC0415
    from feeds.runtime import Runtime  # noqa: PLC0415
    from gridwall.procs import run_threads  # noqa: PLC0415

    settings = obj.settings()
    rt = runtime_or_exit(Runtime, settings, obj.redis_url(settings))
    alarms = AlarmStage.from_settings(rt.client, rt.keys, settings)
    processor = Processor(rt.client, rt.keys, settings.processor, rt.tz, alarms=alarms)
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
    rt = runtime_or_exit(Runtime, settings, obj.redis_url(settings))
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
    except (RedisUnavailable, FeedsError) as exc:
        raise click.ClickException(str(exc)) from None
    uvicorn.run(
        app,
        host=settings.http.host,
        port=settings.http.port,
        log_level="info",
        ws="websockets-sansio",
        proxy_headers=True,
    )
