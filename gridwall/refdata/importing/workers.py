"""Grid workers in (网格员): who they are and which grids they serve.

Name, phone and ID number are personal information (``x-personal`` in ``Worker``): reasons
name the field, never its value, and the read API masks them.
"""

from __future__ import annotations

import re

from gridwall.refdata.codes import id_number_reason, phone_reason
from gridwall.refdata.importing.options import ImportOptions
from gridwall.refdata.importing.problems import Problems, Severity
from gridwall.refdata.importing.table import Column, Row, check_key
from gridwall.refdata.model import Level, Worker
from gridwall.refdata.registry import Registry

COLUMNS = (
    Column("id", ("工号", "编号", "人员编号"), required=True, help="worker id"),
    Column("name", ("姓名",), required=True, help="name (personal)"),
    Column("phone", ("电话", "手机", "手机号", "联系电话")),
    Column("id_number", ("身份证号", "身份证", "身份证号码")),
    Column("grids", ("网格", "网格编码", "负责网格", "grid")),
)

#: Separators accepted between the grid codes of one worker.
GRID_SEPARATORS = re.compile(r"[;,、，；|\s]+")


def parse_workers(
    rows: list[Row], context: Registry, options: ImportOptions, problems: Problems
) -> list[Worker]:
    """Worker records of table rows; ``context`` holds the grids they serve."""
    found: list[Worker] = []
    seen: dict[str, str] = {}
    for row in options.track(rows, "checking workers"):
        before = problems.error_count
        worker_id, where = check_key(row, "id", seen, problems), row.where
        phone, id_number = row.get("phone") or None, row.get("id_number").upper() or None
        if phone is not None and (reason := phone_reason(phone)) is not None:
            problems.add(where, reason, code=worker_id, field="phone")
        if id_number is not None and (reason := id_number_reason(id_number)) is not None:
            problems.add(where, reason, code=worker_id, field="id_number")
        grids = [g for g in GRID_SEPARATORS.split(row.get("grids")) if g]
        for grid in grids:
            area = context.area(grid)
            if area is None or area.level is not Level.GRID:
                problems.add(where, f"unknown grid {grid}", code=worker_id, field="grids")
        if not grids:
            problems.add(
                where, "serves no grid", code=worker_id, field="grids", severity=Severity.WARNING
            )
        if problems.error_count == before:
            found.append(
                Worker(
                    id=worker_id,
                    name=row.get("name"),
                    phone=phone,
                    id_number=id_number,
                    grids=list(dict.fromkeys(grids)),
                )
            )
    return found
