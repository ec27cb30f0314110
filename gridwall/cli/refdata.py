"""Reference data: ``import`` and (with the reference-data issue) ``export``."""

from __future__ import annotations

import click

from gridwall.cli.base import Context, cli, pass_context


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
