"""Importing reference data: plan (read, check, diff) and apply (one transaction, new version).

``plan_import`` reads the files of one or more kinds against the stored registry and collects
every problem; nothing is written. ``apply_plan`` writes the changes of a plan in one
MULTI/EXEC guarded by the version the plan was made against, bumps the version and logs the
import. A plan with errors is applied only with ``partial`` (the invalid records left out,
their stored versions kept); a plan that changes nothing is not applied (re-importing the same
files changes nothing, not even the version).

Kinds are read in dependency order (areas, departments, categories, cameras, workers), each
checked against the kinds before it as they will be after the import.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis

from gridwall.platform.keys import Keys
from gridwall.refdata.importing.areas import read_areas
from gridwall.refdata.importing.cameras import COLUMNS as CAMERA_COLUMNS
from gridwall.refdata.importing.cameras import parse_cameras
from gridwall.refdata.importing.categories import COLUMNS as CATEGORY_COLUMNS
from gridwall.refdata.importing.categories import parse_categories, read_yaml
from gridwall.refdata.importing.departments import COLUMNS as DEPARTMENT_COLUMNS
from gridwall.refdata.importing.departments import parse_departments
from gridwall.refdata.importing.diff import Diff, diff_records
from gridwall.refdata.importing.hierarchy import check_hierarchy
from gridwall.refdata.importing.options import ImportOptions
from gridwall.refdata.importing.problems import Problems, Severity
from gridwall.refdata.importing.table import Row, TableError, read_table
from gridwall.refdata.importing.workers import COLUMNS as WORKER_COLUMNS
from gridwall.refdata.importing.workers import parse_workers
from gridwall.refdata.model import Level, Record
from gridwall.refdata.registry import KINDS, Registry

#: Kinds in the order they are read (each may refer to the ones before).
KIND_ORDER = ("areas", "departments", "categories", "cameras", "workers")


class ImportConflict(RuntimeError):
    """The reference data changed between planning and applying."""


@dataclass
class KindPlan:
    kind: str
    files: list[Path]
    records: dict[str, Record]
    diff: Diff
    problems: Problems
    read: int = 0


@dataclass
class ImportPlan:
    base_version: int
    kinds: list[KindPlan] = field(default_factory=list)
    #: Problems of stored records the import leaves pointing at something it removes.
    dangling: Problems = field(default_factory=Problems)
    partial: bool = False

    @property
    def error_count(self) -> int:
        return sum(k.problems.error_count for k in self.kinds)

    @property
    def changes(self) -> bool:
        return any(not k.diff.empty for k in self.kinds)

    @property
    def blocked(self) -> bool:
        """Errors and no ``partial``: nothing may be written."""
        return self.error_count > 0 and not self.partial

    def registry(self, current: Registry) -> Registry:
        """The registry as it would be after the import."""
        result = current
        for k in self.kinds:
            result = with_kind(result, k.kind, k.records)
        return result


def with_kind(registry: Registry, kind: str, records: dict[str, Record]) -> Registry:
    """A copy of ``registry`` with the records of one kind replaced."""
    stored = {name: list(registry.records(name).values()) for name in KINDS}
    stored[kind] = list(records.values())
    return Registry(
        registry.county,
        stored["areas"],  # type: ignore[arg-type]
        stored["categories"],  # type: ignore[arg-type]
        registry.version,
        departments=stored["departments"],  # type: ignore[arg-type]
        cameras=stored["cameras"],  # type: ignore[arg-type]
        workers=stored["workers"],  # type: ignore[arg-type]
    )


def _rows(
    kind: str, files: Sequence[Path], options: ImportOptions, problems: Problems
) -> list[Row]:
    columns = {"departments": DEPARTMENT_COLUMNS, "categories": CATEGORY_COLUMNS,
               "cameras": CAMERA_COLUMNS, "workers": WORKER_COLUMNS}[kind]  # fmt: skip
    rows: list[Row] = []
    for path in files:
        if kind == "categories" and path.suffix.lower() in {".yaml", ".yml"}:
            rows += read_yaml(path, problems)
        else:
            rows += read_table(
                path,
                columns,
                problems,
                mapping=options.mapping,
                sheet=options.sheet,
                header_row=options.header_row,
            )
    return rows


def _read(
    kind: str, files: Sequence[Path], context: Registry, options: ImportOptions, problems: Problems
) -> tuple[list[Record], int]:
    if kind == "areas":
        read = read_areas(files, options, problems)
        return list(check_hierarchy(read, context.areas.values(), options, problems)), read.total
    rows = _rows(kind, files, options, problems)
    if kind == "departments":
        return list(parse_departments(rows, context, problems)), len(rows)
    if kind == "categories":
        return list(parse_categories(rows, context, problems)), len(rows)
    if kind == "cameras":
        return list(parse_cameras(rows, context, options, problems)), len(rows)
    return list(parse_workers(rows, context, options, problems)), len(rows)


def _key(record: Record) -> str:
    return str(getattr(record, "code", None) or getattr(record, "id", ""))


def _keep_stored(
    kind: str, records: dict[str, Record], stored: dict[str, Record], problems: Problems
) -> None:
    """Partial import: a rejected record keeps its stored version."""
    for problem in list(problems.errors):
        code = problem.code
        if code and code in stored and code not in records:
            records[code] = stored[code]
            problems.add(
                problem.where,
                "rejected; the stored record is kept",
                code=code,
                severity=Severity.WARNING,
            )


def plan_import(
    requests: Sequence[tuple[str, Sequence[Path]]], current: Registry, options: ImportOptions
) -> ImportPlan:
    """Read and check the files of each requested kind; nothing is written.

    Raises ``TableError`` when a file cannot be read at all, ``ValueError`` for an unknown kind.
    """
    plan = ImportPlan(base_version=current.version, partial=options.partial)
    context = current
    for kind, files in sorted(requests, key=lambda r: KIND_ORDER.index(_known(r[0]))):
        problems = Problems()
        found, total = _read(kind, files, context, options, problems)
        records = {_key(r): r for r in found}
        if options.partial:
            _keep_stored(kind, records, current.records(kind), problems)
        diff = diff_records(kind, current.records(kind), records)
        stored = len(current.records(kind))
        if stored and len(diff.removed) * 2 > stored:
            problems.add(
                "import",
                f"removes {len(diff.removed)} of the {stored} stored {kind}: "
                "is this the whole list?",
                severity=Severity.WARNING,
            )
        plan.kinds.append(KindPlan(kind, list(files), records, diff, problems, total))
        context = with_kind(context, kind, records)
    requested = {kind for kind, _ in requests}
    plan.dangling = dangling_references(context, requested)
    return plan


def _known(kind: str) -> str:
    if kind not in KIND_ORDER:
        raise ValueError(f"unknown kind {kind!r} (one of {', '.join(KIND_ORDER)})")
    return kind


def _references(registry: Registry, kind: str) -> Iterator[tuple[str, str, str]]:
    """(record key, what it refers to, label) of every reference a kind makes."""
    if kind == "cameras":
        yield from ((c.id, c.grid, "grid") for c in registry.cameras.values() if c.grid)
    elif kind == "workers":
        yield from ((w.id, g, "grid") for w in registry.workers.values() for g in w.grids)
    elif kind == "categories":
        categories = registry.categories.values()
        yield from ((c.code, c.department, "department") for c in categories if c.department)
    elif kind == "departments":
        yield from ((d.code, d.area, "area") for d in registry.departments.values() if d.area)


def _resolves(registry: Registry, target: str, label: str) -> bool:
    if label == "department":
        return registry.department(target) is not None
    area = registry.area(target)
    return area is not None and (label != "grid" or area.level is Level.GRID)


def dangling_references(registry: Registry, skip: set[str]) -> Problems:
    """Stored records (of kinds not imported now) that refer to something no longer there."""
    found = Problems()
    for kind in KIND_ORDER:
        if kind in skip:
            continue
        for key, target, label in _references(registry, kind):
            if not _resolves(registry, target, label):
                found.add(
                    f"stored {kind[:-1]}",
                    f"its {label} {target} is gone",
                    code=key,
                    severity=Severity.WARNING,
                )
    return found


def _digest(files: Sequence[Path]) -> list[dict[str, str]]:
    return [
        {"file": p.name, "sha256": hashlib.sha256(p.read_bytes()).hexdigest()[:16]} for p in files
    ]


def apply_plan(client: redis.Redis, keys: Keys, plan: ImportPlan, log_maxlen: int = 1000) -> int:
    """Write a plan's changes in one transaction; returns the new version.

    Raises ``ImportConflict`` when the stored version moved since the plan was made, and
    ``ValueError`` when the plan is blocked by errors.
    """
    if plan.blocked:
        raise ValueError(f"{plan.error_count} errors; nothing written (or import with partial)")
    log: dict[Any, str | int] = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "kinds": json.dumps({k.kind: k.diff.counts() for k in plan.kinds}),
        "files": json.dumps([f for k in plan.kinds for f in _digest(k.files)], ensure_ascii=False),
        "partial": int(plan.partial),
        "errors": plan.error_count,
    }
    with client.pipeline(transaction=True) as pipe:
        try:
            pipe.watch(keys.ref_version)  # type: ignore[no-untyped-call]
            stored = int(pipe.get(keys.ref_version) or 0)
            if stored != plan.base_version:
                raise ImportConflict(
                    f"reference data changed while importing (version {plan.base_version} → "
                    f"{stored}); run the import again"
                )
            pipe.multi()
            for k in plan.kinds:
                if k.diff.removed:
                    pipe.hdel(keys.ref(k.kind), *k.diff.removed)
                changed = [*k.diff.added, *k.diff.changed]
                if changed:
                    pipe.hset(
                        keys.ref(k.kind),
                        mapping={c: k.records[c].model_dump_json() for c in changed},
                    )
            pipe.incr(keys.ref_version)
            pipe.xadd(keys.ref_log, {"version": plan.base_version + 1, **log},
                      maxlen=log_maxlen, approximate=True)  # fmt: skip
            results = pipe.execute()
        except redis.WatchError:
            raise ImportConflict("reference data changed while importing; run it again") from None
    return int(results[-2])


__all__ = ["KIND_ORDER", "ImportConflict", "ImportPlan", "TableError", "apply_plan", "plan_import"]
