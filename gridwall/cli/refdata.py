"""Reference data: ``gridwall import KIND FILE…`` and ``gridwall export demo-county DIR``.

Every problem of an import is printed at once (place, code, field, reason); nothing is written
while there are errors unless ``--partial`` is given; ``--dry-run`` prints what would be added,
changed and removed. See docs/reference-data.md.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from gridwall.cli.base import Context, cli, pass_context

T = TypeVar("T")
KINDS = ("areas", "departments", "categories", "cameras", "workers")
CRS_CHOICE = click.Choice(["wgs84", "gcj02", "bd09"])


def _track(min_items: int) -> Any:
    """A progress bar on stderr for loops of at least ``min_items`` records."""

    def track(items: Sequence[T], label: str) -> Iterable[T]:
        if len(items) < min_items:
            return items
        return _bar(items, label)

    return track


def _bar(items: Sequence[T], label: str) -> Iterable[T]:
    with click.progressbar(items, label=label, file=sys.stderr) as bar:
        yield from bar


def _mapping(pairs: Sequence[str]) -> dict[str, str]:
    found = {}
    for pair in pairs:
        name, sep, header = pair.partition("=")
        if not sep or not name.strip() or not header.strip():
            raise click.BadParameter(f"{pair!r}: expected NAME=COLUMN", param_hint="--map")
        found[name.strip()] = header.strip()
    return found


def _report(plan: Any, show: int) -> None:
    """Print every problem, then the diff of each kind."""
    for k in plan.kinds:
        click.echo(f"{k.kind}: {k.read} records read from {', '.join(p.name for p in k.files)}")
        for problem in k.problems.ordered():
            click.echo(f"  {problem}")
    for problem in plan.dangling.items:
        click.echo(f"  {problem}")
    for k in plan.kinds:
        for line in k.diff.lines(show):
            click.echo(line)


def _finish(obj: Context, plan: Any, dry_run: bool, client: Any, keys: Any) -> None:
    from gridwall.refdata.importing.importer import ImportConflict, apply_plan  # noqa: PLC0415

    errors = plan.error_count
    if dry_run:
        verdict = "would be refused" if plan.blocked else "would be written"
        click.echo(f"dry run: {errors} errors; the import {verdict}; nothing written.")
        return
    if plan.blocked:
        raise click.ClickException(
            f"{errors} errors: nothing written "
            "(fix them, or import the valid records with --partial)"
        )
    if not plan.changes:
        click.echo(f"no changes: reference data stays at version {plan.base_version}.")
        return
    settings = obj.settings()
    try:
        version = apply_plan(client, keys, plan, settings.refdata.log_maxlen)
    except ImportConflict as exc:
        raise click.ClickException(str(exc)) from None
    left_out = f" ({errors} invalid records left out)" if errors else ""
    click.echo(f"imported: reference data version {version}{left_out}.")


def _connect(obj: Context) -> tuple[Any, Any, Any]:
    from gridwall.platform.keys import Keys  # noqa: PLC0415
    from gridwall.platform.redisconn import connect  # noqa: PLC0415

    settings = obj.settings()
    return settings, connect(obj.redis_url(settings)), Keys(settings.county)


@cli.group("import")
def import_group() -> None:
    """Import reference data (areas, departments, categories, cameras, workers)."""


def _kind_command(kind: str) -> None:
    many = kind == "areas"

    @import_group.command(kind, help=f"Import {kind} from FILE (see docs/reference-data.md).")
    @click.argument("files", nargs=-1 if many else 1, required=True,
                    type=click.Path(path_type=Path, dir_okay=False, exists=True))  # fmt: skip
    @click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
    @click.option("--partial", is_flag=True, help="Write the valid records, leave out the rest.")
    @click.option("--crs", type=CRS_CHOICE, default="wgs84", show_default=True,
                  help="Coordinate system of the input positions/polygons.")  # fmt: skip
    @click.option("--map", "maps", multiple=True, metavar="NAME=COLUMN",
                  help="Read field NAME from COLUMN (a header or GeoJSON property).")  # fmt: skip
    @click.option("--level", type=click.Choice(["county", "street", "community", "grid"]),
                  help="Level of every feature without a level property (areas).")  # fmt: skip
    @click.option("--sheet", help="Worksheet of an XLSX file (default: the first).")
    @click.option("--header-row", type=click.IntRange(1, 100), default=1, show_default=True,
                  help="Row of a table's header (title rows above it are skipped).")  # fmt: skip
    @click.option("--show", type=int, default=20, show_default=True,
                  help="Codes listed per change (added/changed/removed).")  # fmt: skip
    @pass_context
    def command(
        obj: Context,
        files: Any,
        dry_run: bool,
        partial: bool,
        crs: str,
        maps: tuple[str, ...],
        level: str | None,
        sheet: str | None,
        header_row: int,
        show: int,
    ) -> None:
        from gridwall.contract.events import Crs  # noqa: PLC0415
        from gridwall.refdata.importing.importer import plan_import  # noqa: PLC0415
        from gridwall.refdata.importing.options import ImportOptions  # noqa: PLC0415
        from gridwall.refdata.importing.table import TableError  # noqa: PLC0415
        from gridwall.refdata.model import Level  # noqa: PLC0415
        from gridwall.refdata.registry import load_registry  # noqa: PLC0415

        settings, client, keys = _connect(obj)
        options = ImportOptions(
            county=settings.county,
            county_name=settings.county_name,
            crs=Crs(crs),
            mapping=_mapping(maps),
            level=Level(level) if level else None,
            sheet=sheet,
            header_row=header_row,
            strict_codes=settings.refdata.strict_codes,
            overlap_tolerance=settings.refdata.overlap_tolerance,
            partial=partial,
            track=_track(settings.refdata.progress_min_items),
        )
        paths = list(files) if many else [files]
        try:
            plan = plan_import([(kind, paths)], load_registry(client, keys), options)
        except TableError as exc:
            raise click.ClickException(str(exc)) from None
        _report(plan, show)
        _finish(obj, plan, dry_run, client, keys)


for _kind in KINDS:
    _kind_command(_kind)


@import_group.command("demo-county")
@click.option("--seed", type=int, help="Seed of the generated county (default: simulator.seed).")
@click.option("--grids", type=click.IntRange(1000, 3000), help="Number of grids.")
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@click.option("--show", type=int, default=20, show_default=True, help="Codes listed per change.")
@pass_context
def import_demo_county(
    obj: Context, seed: int | None, grids: int | None, dry_run: bool, show: int
) -> None:
    """Generate the demo county and import it through its exported files."""
    from gridwall.sim.county import import_demo_county as run  # noqa: PLC0415

    settings, client, keys = _connect(obj)
    with tempfile.TemporaryDirectory(prefix="gridwall-demo-county-") as folder:
        plan, version = run(
            client,
            keys,
            Path(folder),
            county_name=settings.county_name,
            seed=settings.simulator.seed if seed is None else seed,
            grids=grids or settings.refdata.demo_grids,
            dry_run=True,
            track=_track(settings.refdata.progress_min_items),
        )
        assert version is None
        _report(plan, show)
        _finish(obj, plan, dry_run, client, keys)


@cli.group("export")
def export_group() -> None:
    """Export reference data as the files ``gridwall import`` reads."""


@export_group.command("demo-county")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option("--seed", type=int, help="Seed of the generated county (default: simulator.seed).")
@click.option("--grids", type=click.IntRange(1000, 3000), help="Number of grids.")
@click.option("--crs", type=CRS_CHOICE, default="wgs84", show_default=True,
              help="Coordinate system of the written positions and polygons.")  # fmt: skip
@pass_context
def export_demo_county(
    obj: Context, folder: Path, seed: int | None, grids: int | None, crs: str
) -> None:
    """Write the generated demo county into FOLDER (no Redis needed)."""
    from gridwall.contract.events import Crs  # noqa: PLC0415
    from gridwall.refdata.export import export_registry  # noqa: PLC0415
    from gridwall.sim.county import generate_county  # noqa: PLC0415

    settings = obj.settings()
    registry = generate_county(
        settings.county,
        settings.county_name,
        settings.simulator.seed if seed is None else seed,
        grids=grids or settings.refdata.demo_grids,
    )
    for kind, path in export_registry(registry, folder, Crs(crs)).items():
        click.echo(f"{kind}: {len(registry.records(kind))} → {path}")
