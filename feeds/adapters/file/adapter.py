"""A backfill run: a CSV/XLSX file into the inbox, resumable and idempotent.

Progress is checkpointed in Redis per (source, file digest) after every batch, so an
interrupted run continues where it stopped (``restart`` starts over; de-duplication keeps a
re-run from adding anything twice). Refused rows are written to a CSV report (row number,
event id, reason) beside the counts; nothing is dropped silently. Report times come from the
file, so the SLA clocks start at the recorded report time.
"""

from __future__ import annotations

import csv
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from feeds.adapters.file.parse import row_records, rows
from feeds.adapters.mapping import FieldMapping
from feeds.sources.sink import FeedSink
from gridwall.contract.refusal import PayloadError

ENDPOINT = "backfill"


@dataclass
class BackfillResult:
    rows: int = 0
    skipped: int = 0
    accepted: int = 0
    duplicates: int = 0
    refused: int = 0
    report: Path | None = None


def file_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    raise PayloadError(f"{path.name}: only .csv and .xlsx files can be backfilled")


class Backfill:
    def __init__(
        self,
        sink: FeedSink,
        source: str,
        mapping: FieldMapping,
        path: Path,
        *,
        report: Path | None = None,
        encoding: str | None = None,
        sheet: str | None = None,
        batch: int = 500,
    ) -> None:
        self.sink = sink
        self.source = source
        self.mapping = mapping
        self.path = path
        self.kind = file_kind(path)
        self.data = path.read_bytes()
        self.digest = hashlib.sha256(self.data).hexdigest()
        self.report = report or path.with_name(path.name + ".errors.csv")
        self.encoding = encoding
        self.sheet = sheet
        self.batch = batch
        self.checkpoint = sink.rt.keys.backfill_checkpoint(source, self.digest[:16])

    def total(self) -> int:
        return sum(1 for _ in rows(self.data, self.kind, self.encoding, self.sheet))

    def done(self) -> int:
        raw = self.sink.rt.client.hget(self.checkpoint, "rows_done")
        return int(raw or 0)

    def restart(self) -> None:
        self.sink.rt.client.delete(self.checkpoint)
        self.report.unlink(missing_ok=True)

    def run(self, advance: Callable[[int], None] = lambda n: None) -> BackfillResult:
        """Take every row not yet done; ``advance(n)`` is called as rows are handled."""
        client = self.sink.rt.client
        done = self.done()
        result = BackfillResult(report=self.report)
        zone = self.sink.rt.tz
        pending: list[tuple[int, list[dict[str, Any]]]] = []
        errors: list[tuple[int, str, str]] = []
        client.hsetnx(self.checkpoint, "started_at", time.time())
        client.hset(self.checkpoint, mapping={"file": self.path.name, "source": self.source})
        last = done
        for number, values in rows(self.data, self.kind, self.encoding, self.sheet):
            if number <= done:
                result.skipped += 1
                advance(1)
                continue
            result.rows += 1
            last = number
            try:
                pending.append(
                    (
                        number,
                        row_records((number, values), self.mapping, self.source, zone, self.digest),
                    )
                )
            except PayloadError as exc:
                errors.append(
                    (
                        number,
                        str(values.get(self.mapping.fields.get("source_event_id", ""), "")),
                        f"{exc.field}: {exc.reason}",
                    )
                )
            if len(pending) + len(errors) >= self.batch:
                self._commit(pending, errors, last, result)
                advance(len(pending) + len(errors))
                pending, errors = [], []
        self._commit(pending, errors, last, result)
        advance(len(pending) + len(errors))
        client.hset(self.checkpoint, "finished_at", time.time())
        return result

    def _commit(
        self,
        pending: list[tuple[int, list[dict[str, Any]]]],
        errors: list[tuple[int, str, str]],
        last: int,
        result: BackfillResult,
    ) -> None:
        records = [r for _, found in pending for r in found]
        owners = [number for number, found in pending for _ in found]
        if records:
            submitted = self.sink.submit_events(
                self.source, records, endpoint=ENDPOINT, dead_letter=False
            )
            result.accepted += submitted.accepted
            result.duplicates += submitted.duplicates
            for index, reason in submitted.refusals:
                errors.append((owners[index], str(records[index].get("source_event_id")), reason))
        if errors:
            result.refused += len({number for number, _, _ in errors})
            self._write_errors(errors)
        self.sink.rt.client.hset(
            self.checkpoint,
            mapping={"rows_done": last, "accepted": result.accepted, "refused": result.refused},
        )

    def _write_errors(self, errors: list[tuple[int, str, str]]) -> None:
        new = not self.report.exists()
        with self.report.open("a", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            if new:
                writer.writerow(["row", "source_event_id", "reason"])
            writer.writerows(sorted(errors))
