"""Rows of CSV and XLSX exports → event records, by a declarative mapping. Pure: bytes in.

CSV: UTF-8 (with or without BOM), else GB18030 (what Chinese spreadsheet software writes),
unless the source names an encoding; the first row is the header. XLSX: the first sheet (or
the named one), header in the first row, dates as written by Excel. A row without a mapped
``source_event_id`` gets ``<file digest>:<row number>``, so re-running the same file is
idempotent. Row numbers count from 2 (the header is row 1), as a spreadsheet shows them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from feeds.adapters.mapping import FieldMapping, apply_mapping
from gridwall.contract.refusal import PayloadError

Row = tuple[int, dict[str, Any]]


def decode_csv(data: bytes, encoding: str | None = None) -> str:
    if encoding:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise PayloadError(f"file is not {encoding}: {exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise PayloadError("file is neither UTF-8 nor GB18030 text") from None


def csv_rows(data: bytes, encoding: str | None = None) -> Iterator[Row]:
    reader = csv.DictReader(io.StringIO(decode_csv(data, encoding), newline=""))
    if not reader.fieldnames:
        raise PayloadError("the file has no header row")
    for number, row in enumerate(reader, start=2):
        yield number, {str(k).strip(): v for k, v in row.items() if k is not None}


def xlsx_rows(data: bytes, sheet: str | None = None) -> Iterator[Row]:
    from openpyxl import load_workbook  # noqa: PLC0415 - only backfills need it

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise PayloadError(f"not a readable XLSX file: {type(exc).__name__}") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise PayloadError(f"no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})")
        worksheet = book[sheet] if sheet else book.active
        if worksheet is None or not hasattr(worksheet, "iter_rows"):
            raise PayloadError("the workbook has no worksheet")
        rows = worksheet.iter_rows(values_only=True)
        header = next(rows, None)
        if not header:
            raise PayloadError("the file has no header row")
        names = [str(h).strip() if h is not None else "" for h in header]
        for number, values in enumerate(rows, start=2):
            if values is None or all(v is None or v == "" for v in values):
                continue
            yield number, {n: _cell(v) for n, v in zip(names, values, strict=False) if n}
    finally:
        book.close()


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    return value


def rows(data: bytes, kind: str, encoding: str | None, sheet: str | None) -> Iterator[Row]:
    return csv_rows(data, encoding) if kind == "csv" else xlsx_rows(data, sheet)


def row_records(
    row: Row, mapping: FieldMapping, source: str, zone: ZoneInfo, digest: str
) -> list[dict[str, Any]]:
    """One row → its records; raises PayloadError (the field is named)."""
    number, values = row
    records = apply_mapping(mapping, values, source, zone)
    fallback = f"{digest[:12]}:{number}"
    first = records[0]
    if not first.get("source_event_id"):
        first["source_event_id"] = fallback
        for follow in records[1:]:
            follow["ref"] = fallback
            follow["source_event_id"] = f"{fallback}:{follow.get('status')}"
    return records
