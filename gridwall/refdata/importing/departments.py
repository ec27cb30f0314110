"""Departments in: the county's handling units (职能部门) and each street/town office."""

from __future__ import annotations

from gridwall.refdata.importing.problems import Problems, Severity
from gridwall.refdata.importing.table import Column, Row, check_key, seen_before
from gridwall.refdata.model import Department, DepartmentKind, Level
from gridwall.refdata.registry import Registry

COLUMNS = (
    Column("code", ("编码", "部门编码", "代码"), required=True, help="department code"),
    Column("name", ("名称", "部门名称"), required=True, help="Chinese name"),
    Column("name_en", ("英文名称", "english")),
    Column("kind", ("类型", "部门类型")),
    Column("area", ("所属街道", "街道编码", "区域编码")),
)

KIND_WORDS: dict[str, DepartmentKind] = {
    **{w: DepartmentKind.COUNTY for w in ("county", "县级", "区级", "职能部门", "县级部门")},
    **{w: DepartmentKind.STREET for w in ("street", "街道", "镇", "乡镇", "街道办事处")},
    **{w: DepartmentKind.OTHER for w in ("other", "其他", "企业")},
}


def parse_departments(rows: list[Row], context: Registry, problems: Problems) -> list[Department]:
    """Department records of table rows; ``context`` holds the areas they refer to."""
    found: list[Department] = []
    seen: dict[str, str] = {}
    names: dict[str, str] = {}
    for row in rows:
        errors = problems.error_count
        code = check_key(row, "code", seen, problems)
        name, area, where = row.get("name"), row.get("area") or None, row.where
        if name and (first := seen_before(names, name, where)) is not None:
            problems.add(
                where, f"same name as {first}", code=code, field="name", severity=Severity.WARNING
            )
        kind_word = row.get("kind").lower()
        kind = KIND_WORDS.get(kind_word) if kind_word else None
        if kind_word and kind is None:
            problems.add(where, f"unknown kind {kind_word!r}", code=code, field="kind")
        kind = kind or (DepartmentKind.STREET if area else DepartmentKind.COUNTY)
        if area is not None:
            street = context.area(area)
            if street is None:
                problems.add(where, f"unknown area {area}", code=code, field="area")
            elif street.level is not Level.STREET:
                problems.add(where, f"area {area} is not a street/town", code=code, field="area")
        elif kind is DepartmentKind.STREET:
            problems.add(
                where, "a street office without its street (area)", code=code, field="area",
                severity=Severity.WARNING,
            )  # fmt: skip
        if problems.error_count == errors:
            found.append(
                Department(code=code, name=name, name_en=row.get("name_en"), kind=kind, area=area)
            )
    return found
