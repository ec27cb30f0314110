"""Running gridwall: ``demo``, ``serve``, ``worker``, ``simulate``."""

from __future__ import annotations

from pathlib import Path

import click

from feeds.adapters.registry import FeedsError
from gridwall.cli.base import Context, cli, pass_context, runtime_or_exit
from gridwall.engine.sla.policy import PolicyError
from gridwall.platform.redisconn import RedisUnavailable


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
    from gridwall.processes.demo import DemoOptions, run_demo  # noqa: PLC0415 - heavy imports

    if demo_data_dir is not None:
        obj.data_dir = demo_data_dir
    settings = obj.settings(
        http={k: v for k, v in {"host": host, "port": port}.items() if v is not None},
        simulator={k: v for k, v in {"seed": seed, "rate": rate}.items() if v is not None},
    )
    try:
        run_demo(settings, DemoOptions(simulator=not no_simulator, browser=not no_browser))
    except (RedisUnavailable, FeedsError, PolicyError) as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@click.option("--no-clock", is_flag=True, help="Run the processor only, without the SLA clock.")
@click.option("--no-processor", is_flag=True, help="Run the SLA clock only.")
@pass_context
def worker(obj: Context, no_clock: bool, no_processor: bool) -> None:
    """Run the processor (one writer of incident state), the SLA clock beside it, the hourly
    housekeeping (retention purge, audit archiving) and the daily jobs (the nightly archive to
    the Parquet history, the morning briefing)."""
    from dashboard.briefing.generate import Generator  # noqa: PLC0415
    from gridwall.engine.alarms.stage import AlarmStage  # noqa: PLC0415
    from gridwall.engine.processor.processor import Processor  # noqa: PLC0415
    from gridwall.engine.sla.clock import SlaClock  # noqa: PLC0415
    from gridwall.history.archive import archiver_for  # noqa: PLC0415
    from gridwall.history.housekeeping import Housekeeping  # noqa: PLC0415
    from gridwall.history.personal import HistoryPersonalData  # noqa: PLC0415
    from gridwall.history.store import HistoryStore, history_folder  # noqa: PLC0415
    from gridwall.processes.daily import DailyJobs  # noqa: PLC0415
    from gridwall.processes.procs import run_threads, tune_gc  # noqa: PLC0415
    from gridwall.runtime import Runtime  # noqa: PLC0415

    if no_clock and no_processor:
        raise click.UsageError("--no-clock and --no-processor leave nothing to run")
    settings = obj.settings()
    rt = runtime_or_exit(Runtime, settings, obj.redis_url(settings))
    targets = {}
    if not no_processor:
        processor = Processor(
            rt.client,
            rt.keys,
            settings.processor,
            rt.tz,
            policies=rt.policies,
            registry=rt.registry,
            alarms=AlarmStage.from_settings(rt.client, rt.keys, settings),
        )
        targets["processor"] = processor.run
    if not no_clock:
        clock = SlaClock(rt.client, rt.keys, settings.sla, rt.tz, calendar=rt.policies.calendar)
        targets["sla-clock"] = clock.run
    store = HistoryStore(history_folder(settings))
    housekeeping = Housekeeping(
        rt.client, rt.keys, settings, rt.tz, archives=[HistoryPersonalData(store, rt.tz)]
    )
    targets["housekeeping"] = housekeeping.run
    daily = DailyJobs(
        rt.client,
        rt.keys,
        settings,
        archiver_for(rt.client, rt.keys, settings),
        Generator(settings, rt.registry.get, rt.client),
    )
    targets["daily"] = daily.run
    rt.registry.get()  # loaded before the collector is tuned, so it is frozen with the rest
    tune_gc()
    run_threads(targets)


@cli.command()
@click.option("--seed", type=int, help="Seed of the event sequence.")
@click.option("--rate", type=float, help="Reports per minute (average over the day).")
@pass_context
def simulate(obj: Context, seed: int | None, rate: float | None) -> None:
    """Feed simulated reports of the demo county into the inbox."""
    from feeds.alarms.intake import AlarmIntake  # noqa: PLC0415
    from feeds.intake import Intake  # noqa: PLC0415
    from gridwall.contract.health import HealthRecorder  # noqa: PLC0415
    from gridwall.contract.media import MediaStore  # noqa: PLC0415
    from gridwall.processes.procs import run_threads  # noqa: PLC0415
    from gridwall.runtime import Runtime  # noqa: PLC0415
    from gridwall.sim.simcams import CameraSimulator  # noqa: PLC0415
    from gridwall.sim.simulator import Simulator  # noqa: PLC0415

    settings = obj.settings(
        simulator={k: v for k, v in {"seed": seed, "rate": rate}.items() if v is not None}
    )
    rt = runtime_or_exit(Runtime, settings, obj.redis_url(settings))
    registry = rt.registry.get()
    if not registry.areas:
        raise click.ClickException("no reference data: run `gridwall import demo-county` first")
    conf = settings.simulator
    sim = Simulator(registry, Intake.for_runtime(rt), conf.seed, conf.rate, conf.pace)
    snapshots = MediaStore(settings.data_dir / "snapshots", settings.alarms.snapshot_max_bytes,
                           settings.alarms.snapshot_budget_mb * 1_048_576)  # fmt: skip
    cams = CameraSimulator(
        registry,
        AlarmIntake(rt.client, rt.keys, rt.tz, settings.alarms, snapshots),
        HealthRecorder(rt.client, rt.keys, settings.feeds.health_flush_s),
        conf.seed,
        alarms_per_min=conf.camera_alarms,
        offline_share=conf.cameras_offline,
    )
    run_threads(
        {
            "simulator": lambda stop: sim.run(
                stop, rt.tz, backfill=conf.backfill, days=conf.backfill_days
            ),
            "cameras": lambda stop: cams.run(stop, rt.tz),
        }
    )


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

    from gridwall.processes.server import ALL_PARTS, create_app  # noqa: PLC0415

    settings = obj.settings(
        http={k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    )
    url = obj.redis_url(settings)
    chosen = [p for p in ALL_PARTS if not parts or p in parts]
    try:
        app = create_app(settings, url, chosen)
    except (RedisUnavailable, FeedsError, PolicyError) as exc:
        raise click.ClickException(str(exc)) from None
    uvicorn.run(
        app,
        host=settings.http.host,
        port=settings.http.port,
        log_level="info",
        ws="websockets-sansio",
        ws_max_size=settings.http.max_body_bytes,  # what one websocket message may carry in
        proxy_headers=True,
    )
