"""The category catalogue in: YAML (nested ``children`` or flat ``parent``) or CSV (flat).

Each category has a code, a Chinese and an English name, a parent class, a default urgency, a
default lead department and the key of its default SLA policy. A subcategory that leaves
urgency, department or SLA key empty inherits its parent's, resolved on import so that
``Registry.category(code)`` answers directly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from gridwall.contract.events import Urgency
from gridwall.refdata.codes import SLA_KEY
from gridwall.refdata.importing.problems import Problems, Severity
from gridwall.refdata.importing.table import Column, Row, TableError, check_key
from gridwall.refdata.model import Category
from gridwall.refdata.registry import Registry

COLUMNS = (
    Column("code", ("编码", "分类编码", "代码"), required=True, help="category code"),
    Column("name", ("名称", "分类名称"), required=True, help="Chinese name"),
    Column("name_en", ("英文名称", "english")),
    Column("parent", ("上级", "上级编码", "大类")),
    Column("urgency", ("紧急程度", "缓急")),
    Column("department", ("主办部门", "牵头部门", "部门")),
    Column("sla", ("时限", "时限策略", "sla_policy")),
)
FIELDS = tuple(c.name for c in COLUMNS)

URGENCY_WORDS = {"urgent": Urgency.URGENT, "紧急": Urgency.URGENT,
                 "normal": Urgency.NORMAL, "一般": Urgency.NORMAL}  # fmt: skip
DEFAULT_SLA = "normal"


def read_yaml(path: Path, problems: Problems) -> list[Row]:
    """Entries of a YAML catalogue as rows (``entry N`` in document order, children after)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise TableError(f"{path.name}: not a readable YAML file ({exc})") from None
    if isinstance(data, dict) and "categories" in data:
        data = data["categories"]
    if not isinstance(data, list):
        raise TableError(f"{path.name}: expected a list of categories (or categories: [...])")
    rows: list[Row] = []
    _flatten(data, None, rows, problems)
    return rows


def _flatten(items: list[Any], parent: str | None, rows: list[Row], problems: Problems) -> None:
    for item in items:
        number = len(rows) + 1
        if not isinstance(item, dict):
            problems.add(f"entry {number}", "an entry is a mapping (code: ..., name: ...)")
            rows.append(Row(number, {}, unit="entry"))
            continue
        values = {k: "" if item.get(k) is None else str(item[k]).strip() for k in FIELDS}
        unknown = sorted(set(item) - {*FIELDS, "children"})
        if unknown:
            problems.add(f"entry {number}", f"unknown keys {unknown}", code=values["code"] or None)
        if parent is not None:
            if values["parent"] and values["parent"] != parent:
                problems.add(
                    f"entry {number}",
                    f"listed under {parent} but says parent {values['parent']}",
                    code=values["code"] or None,
                    field="parent",
                )
            values["parent"] = parent
        rows.append(Row(number, values, unit="entry"))
        children = item.get("children") or []
        if not isinstance(children, list):
            problems.add(f"entry {number}", "children must be a list", code=values["code"] or None)
            continue
        _flatten(children, values["code"] or None, rows, problems)


def _check_row(row: Row, context: Registry, problems: Problems, seen: dict[str, str]) -> None:
    code, where = check_key(row, "code", seen, problems), row.where
    urgency = row.get("urgency").lower()
    if urgency and urgency not in URGENCY_WORDS:
        problems.add(
            where, f"unknown urgency {urgency!r} (urgent or normal)", code=code, field="urgency"
        )
    department = row.get("department")
    if department and context.department(department) is None:
        problems.add(where, f"unknown department {department}", code=code, field="department")
    sla = row.get("sla")
    if sla and not SLA_KEY.match(sla):
        problems.add(
            where, "an SLA key is lower-case letters, digits, '_' or '-'", code=code, field="sla"
        )


def _chain_loops(code: str, parents: dict[str, str]) -> bool:
    seen = {code}
    current = parents.get(code)
    while current:
        if current in seen:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def parse_categories(rows: list[Row], context: Registry, problems: Problems) -> list[Category]:
    """Category records with inherited defaults; ``context`` holds the departments."""
    seen: dict[str, str] = {}
    ok: dict[str, Row] = {}
    for row in rows:
        before = problems.error_count
        _check_row(row, context, problems, seen)
        if problems.error_count == before and row.get("code") not in ok:
            ok[row.get("code")] = row
    parents = {code: row.get("parent") for code, row in ok.items()}
    for code, row in list(ok.items()):
        parent = parents[code]
        if parent and parent not in seen:
            problems.add(row.where, f"unknown parent {parent}", code=code, field="parent")
            ok.pop(code)
        elif parent and _chain_loops(code, parents):
            problems.add(row.where, "its parent chain loops back to it", code=code, field="parent")
            ok.pop(code)
    changed = True
    while changed:  # a category whose parent was rejected is rejected too
        changed = False
        for code, row in list(ok.items()):
            parent = parents[code]
            if parent and parent not in ok:
                problems.add(
                    row.where, f"its parent {parent} was rejected", code=code, field="parent"
                )
                ok.pop(code)
                changed = True
    resolved: dict[str, Category] = {}
    for code in ok:
        _resolve(code, ok, resolved)
    for category in resolved.values():
        if category.department is None and category.parent is None:
            problems.add(
                ok[category.code].where, "no default lead department", code=category.code,
                field="department", severity=Severity.WARNING,
            )  # fmt: skip
    return [resolved[code] for code in ok]


def _resolve(code: str, rows: dict[str, Row], resolved: dict[str, Category]) -> Category:
    if code in resolved:
        return resolved[code]
    row = rows[code]
    parent_code = row.get("parent") or None
    parent = _resolve(parent_code, rows, resolved) if parent_code else None
    urgency = row.get("urgency").lower()
    category = Category(
        code=code,
        name=row.get("name"),
        name_en=row.get("name_en"),
        parent=parent_code,
        urgency=URGENCY_WORDS[urgency]
        if urgency
        else (parent.urgency if parent else Urgency.NORMAL),
        department=row.get("department") or (parent.department if parent else None),
        sla=row.get("sla") or (parent.sla if parent else DEFAULT_SLA),
    )
    resolved[code] = category
    return category
