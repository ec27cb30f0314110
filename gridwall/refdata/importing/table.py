"""Tables in: CSV (UTF-8 or GB18030, as Excel saves it) and XLSX (openpyxl), header on row 1.

A kind declares its ``Column`` set; each column is found by its name, one of its aliases (the
Chinese headers county staff use) or the mapping option (``--map name=部门名称``). Row numbers
are those a spreadsheet shows (the header is row 1), so a reason points at the right line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gridwall.refdata.codes import record_code_reason
from gridwall.refdata.importing.problems import Problems, Severity

#: The largest integer a spreadsheet number keeps exactly (15 significant digits).
EXACT_DIGITS = 10**15


@dataclass(frozen=True)
class Column:
    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    help: str = ""

    def headers(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Row:
    number: int
    values: Mapping[str, str]
    #: What a number counts: spreadsheet rows, or entries of a YAML list.
    unit: str = "row"

    @property
    def where(self) -> str:
        return f"{self.unit} {self.number}"

    def get(self, name: str) -> str:
        return self.values.get(name, "")


class TableError(ValueError):
    """The file cannot be read as a table at all."""


def _fold(header: str) -> str:
    return header.strip().casefold().replace(" ", "").replace("_", "")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < EXACT_DIGITS:
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _raw_rows(path: Path, sheet: str | None) -> Iterator[list[Any]]:
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        yield from _xlsx_rows(path, sheet)
    elif suffix in {".csv", ".txt", ".tsv"}:
        yield from _csv_rows(path)
    else:
        raise TableError(f"{path.name}: expected a .csv or .xlsx file")


def _csv_rows(path: Path) -> Iterator[list[Any]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030", errors="replace")  # Excel on a Chinese Windows
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_rows(path: Path, sheet: str | None) -> Iterator[list[Any]]:
    import openpyxl  # noqa: PLC0415 - only XLSX imports pay for it
    from openpyxl.utils.exceptions import InvalidFileException  # noqa: PLC0415

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise TableError(f"{path.name}: not a readable XLSX workbook ({exc})") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise TableError(f"{path.name}: no worksheet {sheet!r} (has {book.sheetnames})")
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        for values in ws.iter_rows(values_only=True):
            yield list(values)
    finally:
        book.close()


def _resolve(
    header: list[str], columns: Sequence[Column], mapping: Mapping[str, str], problems: Problems
) -> dict[str, int]:
    folded = {_fold(h): i for i, h in reversed(list(enumerate(header))) if h.strip()}
    known = {c.name for c in columns}
    for name in mapping:
        if name not in known:
            problems.add("mapping", f"no column {name!r} to map (known: {', '.join(known)})")
    found: dict[str, int] = {}
    for column in columns:
        wanted = [mapping[column.name]] if column.name in mapping else list(column.headers())
        index = next((folded[_fold(w)] for w in wanted if _fold(w) in folded), None)
        if index is not None:
            found[column.name] = index
        elif column.name in mapping:
            problems.add("header", f"no column {mapping[column.name]!r} (mapped to {column.name})")
        elif column.required:
            problems.add("header", f"missing column {column.name!r} ({column.help})")
    used = set(found.values())
    for i, h in enumerate(header):
        if h.strip() and i not in used:
            problems.add("header", f"column {h!r} is not used", severity=Severity.WARNING)
    return found


def read_table(
    path: Path,
    columns: Sequence[Column],
    problems: Problems,
    *,
    mapping: Mapping[str, str] | None = None,
    sheet: str | None = None,
    header_row: int = 1,
) -> list[Row]:
    """The data rows of a CSV/XLSX file; header problems go to ``problems``.

    ``header_row`` skips the title rows above the header that official spreadsheets carry
    (``XX区网格员名册``). Raises ``TableError`` when the file cannot be read as a table.
    """
    rows = _raw_rows(path, sheet)
    try:
        for _ in range(header_row - 1):
            next(rows)
        header = [_cell_text(v) for v in next(rows)]
    except StopIteration:
        raise TableError(f"{path.name}: no header on row {header_row}") from None
    before = problems.error_count
    index = _resolve(header, columns, mapping or {}, problems)
    if problems.error_count > before:
        return []
    found: list[Row] = []
    for number, raw in enumerate(rows, start=header_row + 1):
        if not any(_cell_text(v) for v in raw):
            continue
        values: dict[str, str] = {}
        for name, i in index.items():
            value = raw[i] if i < len(raw) else None
            if _too_long(value):
                problems.add(
                    f"row {number}",
                    "a spreadsheet number this long has lost digits; format the column as text",
                    field=name,
                )
            values[name] = _cell_text(value)
        found.append(Row(number, values))
    return found


def _too_long(value: Any) -> bool:
    """A number past what a spreadsheet keeps exactly (a 20-digit id typed as a number)."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and abs(value) >= EXACT_DIGITS
    )


def check_key(row: Row, key: str, seen: dict[str, str], problems: Problems) -> str:
    """Check a row's key (well-formed, not seen before) and that it has a name; returns the key."""
    value, where = row.get(key), row.where
    reason = record_code_reason(value)
    if reason:
        problems.add(where, reason, code=value or None, field=key)
    elif (first := seen_before(seen, value, where)) is not None:
        problems.add(where, f"duplicate {key} (also {first})", code=value, field=key)
    if not row.get("name"):
        problems.add(where, "no name", code=value, field="name")
    return value


def seen_before(seen: dict[str, str], key: str, where: str) -> str | None:
    """Where ``key`` was seen before (None when new; then it is recorded as seen here)."""
    if key in seen:
        return seen[key]
    seen[key] = where
    return None
