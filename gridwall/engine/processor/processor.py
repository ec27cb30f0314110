"""The processor: the one writer of incident state.

Reads the inbox through a consumer group, applies each event with the pure
``gridwall.engine.cases.lifecycle.apply`` (which dispatches on the event's type), and commits in one
MULTI/EXEC per batch: the new incident documents, the indexes and counters
(``gridwall.engine.processor.indexing``), the SLA clock's plans, the changes-stream entries (merged
per key, ``gridwall.engine.processor.batchwrite``), the alarm step's merged alarms and the incidents
they open (``gridwall.engine.alarms.stage``) and the XACK of the batch's entries. A crash before
EXEC leaves the entries pending; another processor reclaims them after ``claim_idle_ms``
(XAUTOCLAIM), and the ``seen`` list of each incident makes a replayed event a no-op. Documents are
WATCHed, so several processors can run side by side, and a batch waits for older entries of its
incidents still pending with another processor (``gridwall.engine.processor.ordering``), so each
incident's events are applied in stream order.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

import msgspec
import redis
from pydantic import ValidationError

from gridwall.contract.deadletter import DeadLetters
from gridwall.contract.events import Alarm, Report, parse_inbox_event
from gridwall.contract.refusal import FieldError
from gridwall.engine.alarms.stage import AlarmPlan, AlarmStage
from gridwall.engine.cases.lifecycle import Event, Outcome, apply
from gridwall.engine.cases.rules import Rules
from gridwall.engine.incident import Incident, summary
from gridwall.engine.processor.batchwrite import Writes, execute_transaction
from gridwall.engine.processor.indexing import index_incident
from gridwall.engine.processor.ordering import OrderGuard
from gridwall.engine.sla.policy import PolicyBook, load_policies
from gridwall.platform.keys import PROCESSOR_GROUP, Keys
from gridwall.platform.settings import ProcessorSettings
from gridwall.refdata.registry import RegistryCache

log = logging.getLogger(__name__)

Entry = tuple[str, dict[bytes, bytes]]

_decode = Incident.decoder().decode
#: The changes stream's summaries (compact UTF-8 JSON).
_encode = msgspec.json.encode


@dataclass
class Batch:
    """Entries of one read, parsed, in stream order."""

    ids: list[str] = field(default_factory=list)
    events: list[tuple[str, Event]] = field(default_factory=list)
    bad: list[tuple[str, str, bytes]] = field(default_factory=list)


def consumer_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def parse_entries(entries: Sequence[Entry]) -> Batch:
    batch = Batch()
    for raw_id, fields in entries:
        entry_id = _text(raw_id)
        batch.ids.append(entry_id)
        if not fields:  # deleted while pending
            continue
        payload = fields.get(b"e", b"")
        try:
            event = parse_inbox_event(payload)
        except ValidationError as exc:
            batch.bad.append(
                (entry_id, f"unreadable inbox entry: {exc.errors()[0]['msg']}", payload)
            )
            continue
        incident_id = _text(fields.get(b"i", b"")) or event.incident_id
        if event.incident_id is None and incident_id:
            event.incident_id = incident_id  # just parsed, ours alone: no copy needed
        batch.events.append((entry_id, event))
    return batch


class Processor:
    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        settings: ProcessorSettings,
        tz: ZoneInfo,
        name: str | None = None,
        *,
        policies: PolicyBook | None = None,
        registry: RegistryCache | None = None,
        alarms: AlarmStage | None = None,
    ) -> None:
        self.client = client
        self.keys = keys
        self.settings = settings
        self.tz = tz
        self.name = name or consumer_name()
        self.policies = policies or load_policies(None, tz)
        self.registry = registry or RegistryCache(client, keys)
        self.alarms = alarms or AlarmStage.create(client, keys, tz)
        self.guard = OrderGuard(client, keys, self.name, settings.claim_idle_ms)
        self.deadletters = DeadLetters(client, keys, tz, settings.deadletter_maxlen)
        self.processed = 0
        self._last_claim = 0.0
        self._last_trim = 0.0
        self._last_beat = 0.0

    def ensure_group(self) -> None:
        try:
            self.client.xgroup_create(self.keys.inbox, PROCESSOR_GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    # -- loop --------------------------------------------------------------------------
    def run(self, stop: threading.Event) -> None:
        """Process until ``stop`` is set."""
        self.ensure_group()
        log.info("processor %s reading %s", self.name, self.keys.inbox)
        while not stop.is_set():
            try:
                self.step()
            except redis.ConnectionError as exc:
                log.warning("redis unavailable (%s); retrying", exc)
                stop.wait(1.0)

    def step(self, block_ms: int | None = None) -> int:
        """One round: reclaim stale entries when due, read new ones, commit. Returns count."""
        now = time.monotonic()
        done = 0
        if now - self._last_claim >= self.settings.claim_idle_ms / 2000:
            self._last_claim = now
            done += self.reclaim()
        reply = self.client.xreadgroup(
            PROCESSOR_GROUP,
            self.name,
            {self.keys.inbox: ">"},
            count=self.settings.batch_size,
            block=self.settings.block_ms if block_ms is None else block_ms,
        )
        for _stream, entries in cast(list[tuple[bytes, list[Entry]]], reply or []):
            done += self.process(entries)
        if now - self._last_trim >= 60:
            self._last_trim = now
            self.trim_inbox()
        if now - self._last_beat >= 1:
            self._last_beat = now
            self.beat()
        return done

    def reclaim(self) -> int:
        """Take over entries another (dead) consumer left pending."""
        start = "0-0"
        done = 0
        while True:
            reply = self.client.xautoclaim(
                self.keys.inbox,
                PROCESSOR_GROUP,
                self.name,
                min_idle_time=self.settings.claim_idle_ms,
                start_id=start,
                count=self.settings.batch_size,
            )
            start, entries = _text(reply[0]), reply[1]
            if len(reply) > 2 and reply[2]:  # Redis 7: ids deleted while pending
                self.client.xack(self.keys.inbox, PROCESSOR_GROUP, *reply[2])
            if entries:
                log.info("reclaimed %d pending entries", len(entries))
                done += self.process(entries, reclaiming=True)
            if start == "0-0" or not entries:
                return done

    def beat(self) -> None:
        self.client.set(
            self.keys.heartbeat("processor", self.name),
            json.dumps({"at": time.time(), "processed": self.processed}),
            ex=15,
        )

    def trim_inbox(self) -> None:
        """Drop processed entries older than the retention, never unprocessed ones."""
        info = self.client.xinfo_groups(self.keys.inbox)
        group = next((g for g in info if _text(g["name"]) == PROCESSOR_GROUP), None)
        if group is None:
            return
        safe = _text(group["last-delivered-id"])
        pending = self.client.xpending(self.keys.inbox, PROCESSOR_GROUP)
        if pending["pending"]:
            safe = min(safe, _text(pending["min"]), key=_id_key)
        cutoff = f"{int((time.time() - self.settings.inbox_retention_s) * 1000)}-0"
        self.client.xtrim(self.keys.inbox, minid=min(safe, cutoff, key=_id_key), approximate=False)

    # -- one batch ---------------------------------------------------------------------
    def process(self, entries: Sequence[Entry], *, reclaiming: bool = False) -> int:
        batch = parse_entries(entries)
        self._wait_for_older(batch, reclaiming=reclaiming)
        for _attempt in range(20):
            try:
                self._commit(batch)
                self.processed += len(batch.ids)
                return len(batch.ids)
            except redis.WatchError:
                continue
        raise RuntimeError("too many concurrent writers on the same incidents")

    def _wait_for_older(self, batch: Batch, *, reclaiming: bool) -> None:
        """Keep per-incident order with other processors
        (``gridwall.engine.processor.ordering``)."""
        waiting: dict[str, bool] = {}
        for _entry, event in batch.events:
            if event.incident_id is not None and event.incident_id not in waiting:
                # a report is its incident's first entry: nothing older can be pending
                waiting[event.incident_id] = not isinstance(event, Report)
        incident_ids = sorted(i for i, check in waiting.items() if check)
        if not incident_ids:
            return
        deadline = time.monotonic() + 2 * self.settings.claim_idle_ms / 1000
        pause = 0.001
        while True:
            found = self.guard.older_in_flight(batch.ids[0], incident_ids)
            if not found.entries:
                return
            if found.stale and not reclaiming:
                self.reclaim()  # a dead consumer's older entries: apply them first
                continue
            if time.monotonic() > deadline:
                log.warning("older entries of this batch's incidents still pending; going on")
                return
            time.sleep(pause)
            pause = min(2 * pause, 0.05)

    def _commit(self, batch: Batch) -> None:
        """Read the batch's documents (WATCHed), apply its events in stream order, commit.

        Each incident is decoded when its first event comes and its document, indexes and
        plans are written as soon as its last event of the batch is applied, so a case's
        objects are worked on while they are still in the CPU's caches.
        """
        left = Counter(e.incident_id for _, e in batch.events if e.incident_id)
        incident_ids = sorted(left)
        with self.client.pipeline(transaction=True) as pipe:
            raw: dict[str, bytes] = {}
            if incident_ids:
                doc_keys = [self.keys.incident(i) for i in incident_ids]
                pipe.watch(*doc_keys)  # type: ignore[no-untyped-call]
                docs = cast(list[bytes | None], pipe.mget(doc_keys))
                raw = {i: d for i, d in zip(incident_ids, docs, strict=True) if d is not None}
            now = datetime.now(self.tz)
            alarm_plan = self._plan_alarms(pipe, batch, now)
            rules = self.rules()
            writes = Writes()
            before: dict[str, Incident | None] = {}
            current: dict[str, Incident | None] = {}
            for entry_id, event in batch.events:
                key = event.incident_id
                if key is None:
                    outcome: Outcome = apply(None, event, now, rules)
                    if outcome.rejected:
                        self._reject(writes, entry_id, outcome.rejected, event)
                    continue
                if key not in current:
                    found = raw.pop(key, None)
                    current[key] = before[key] = None if found is None else _decode(found)
                outcome = apply(current[key], event, now, rules)
                if outcome.rejected:
                    self._reject(writes, entry_id, outcome.rejected, event)
                elif outcome.incident is not None and outcome.op:
                    current[key] = outcome.incident
                    self._change(writes, outcome.op, outcome.incident)
                left[key] -= 1
                if left[key] == 0:
                    new = current.pop(key)
                    old = before.pop(key)
                    if new is not None and new is not old:
                        writes.set(self.keys.incident(key), new.to_json())
                        index_incident(
                            writes,
                            self.keys,
                            old,
                            new,
                            tz=self.tz,
                            recent_size=self.settings.recent_size,
                        )
            for entry_id, reason, payload in batch.bad:
                self._dead_letter(writes, entry_id, reason, "unknown", payload)
            pipe.multi()
            self.alarms.write(pipe, alarm_plan)  # runs after the writes (``execute_transaction``)
            if batch.ids:
                pipe.xack(self.keys.inbox, PROCESSOR_GROUP, *batch.ids)
            execute_transaction(pipe, writes)

    def _change(self, writes: Writes, op: str, incident: Incident) -> None:
        """The changes-stream entry of one applied event (the summary has no personal data)."""
        writes.xadd(
            self.keys.changes,
            {"op": op, "id": incident.id, "s": _encode(summary(incident))},
            maxlen=self.settings.changes_maxlen,
            approximate=True,
        )

    def _reject(self, writes: Writes, entry_id: str, reason: str, event: Event) -> None:
        self._dead_letter(writes, entry_id, reason, event.source, event.model_dump_json())

    def _plan_alarms(self, pipe: Any, batch: Batch, now: datetime) -> AlarmPlan | None:
        """The alarm step (storm control, rules: ``feeds.alarms``), while WATCHing."""
        alarms = [e for _, e in batch.events if isinstance(e, Alarm)]
        return self.alarms.prepare(pipe, alarms, now) if alarms else None

    def rules(self) -> Rules:
        """Policies and the current reference data, for one batch."""
        return Rules(self.policies, self.registry.get())

    def _dead_letter(
        self, pipe: Any, entry_id: str, reason: str, source: str, raw: str | bytes
    ) -> None:
        """Quarantine one inbox entry (in the batch's transaction), capped like every writer."""
        reasons = [FieldError("event", reason)]
        endpoint = f"processor (inbox {entry_id})"
        self.deadletters.write(source, endpoint, reasons, raw, pipe=pipe)


def _id_key(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def processor_lag(client: redis.Redis, keys: Keys) -> float | None:
    """Seconds the oldest unprocessed inbox entry has waited (0 when none; None: no group)."""
    try:
        groups = client.xinfo_groups(keys.inbox)
    except redis.ResponseError:
        return None
    group = next((g for g in groups if _text(g["name"]) == PROCESSOR_GROUP), None)
    if group is None:
        return None
    oldest: list[str] = []
    pending = client.xpending(keys.inbox, PROCESSOR_GROUP)
    if pending["pending"]:
        oldest.append(_text(pending["min"]))
    delivered = _text(cast(bytes, group["last-delivered-id"]))
    after = client.xrange(keys.inbox, min=f"({delivered}", count=1)
    if after:
        oldest.append(_text(cast(bytes, after[0][0])))
    if not oldest:
        return 0.0
    first_ms = min(_id_key(i)[0] for i in oldest)
    return max(0.0, time.time() - first_ms / 1000)
