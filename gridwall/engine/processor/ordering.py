"""Per-incident order across processors: a batch waits for older entries of its incidents.

Processors share the inbox's consumer group, so two events of one incident can be read by two
processors: the older one (``e1``, an accept) by A, the newer one (``e2``, a dispatch) by B a
moment later. The WATCH on the documents keeps either from overwriting the other, but if B
committed before A, ``e2`` would be applied to the incident as it was before ``e1`` (a
dispatch refused, because the case is not accepted yet).

So before reading its documents a processor asks (``older_in_flight``, read-only commands)
whether an entry *older* than its batch, of one of its batch's incidents, is still pending with
another consumer. Entries are delivered in stream order, so once B's entries are delivered, the
older pending ones can only be acknowledged (committed) or claimed: when none is left for B's
incidents, every older event of them is in the documents B reads. While one is left, B waits
for it; if it has been idle for ``processor.claim_idle_ms`` (its consumer died), B reclaims and
applies it first. With one processor nothing older is pending (one round trip per batch).
An incident whose first event in the batch is its report needs no wait: a report is the first
entry of its incident (the intake numbers the incident when it appends the report).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import redis

from gridwall.platform.keys import PROCESSOR_GROUP, Keys

#: Older pending entries read per page.
PAGE = 1000


def _incident(fields: list[bytes]) -> bytes | None:
    """The ``i`` field of an inbox entry's flat field list."""
    for j in range(0, len(fields) - 1, 2):
        if fields[j] == b"i":
            return fields[j + 1]
    return None


@dataclass(frozen=True)
class InFlight:
    """Older pending entries of our incidents: how many, and whether one is stale."""

    entries: int
    stale: bool


class OrderGuard:
    def __init__(self, client: redis.Redis, keys: Keys, consumer: str, claim_idle_ms: int):
        self._client = client
        self._keys = keys
        self._consumer = consumer.encode()
        self._claim_idle_ms = claim_idle_ms

    def older_in_flight(self, first_id: str, incident_ids: list[str]) -> InFlight:
        """Entries older than ``first_id`` of these incidents, pending with another consumer.

        Read with plain commands, raw replies (hiredis): the older pending entries page by
        page, and each page's run of the stream in one ``XRANGE`` (a consumer's batch is a run
        of the stream), the stragglers one by one. A Lua script doing the same cost Redis about
        4.5 ms a call with another processor's batch of 500 pending. Reading outside a script
        can only see an entry acknowledged meanwhile as still pending: one more wait, never a
        missed one (entries are delivered in stream order, so no older one can become pending).
        """
        if not incident_ids:
            return InFlight(0, stale=False)
        inbox = self._keys.inbox
        ours = {i.encode() for i in incident_ids}
        idles: list[int] = []
        start = "-"
        while True:
            pending = self._raw("XPENDING", inbox, PROCESSOR_GROUP, start, f"({first_id}", PAGE)
            others = [p for p in pending if p[1] != self._consumer]
            if others:
                run = self._raw(
                    "XRANGE", inbox, others[0][0], others[-1][0], "COUNT", 2 * len(pending)
                )
                known = {entry_id: _incident(fields) for entry_id, fields in run}
                for entry_id, _consumer, idle, _count in others:
                    if entry_id not in known:
                        found = self._raw("XRANGE", inbox, entry_id, entry_id)
                        known[entry_id] = _incident(found[0][1]) if found else None
                    if known[entry_id] in ours:
                        idles.append(int(idle))
            if len(pending) < PAGE:
                return InFlight(len(idles), stale=any(i >= self._claim_idle_ms for i in idles))
            start = "(" + pending[-1][0].decode()

    def _raw(self, *args: str | bytes | int) -> list[Any]:
        """A read command's reply as hiredis parsed it (no redis-py reply callback)."""
        pool = self._client.connection_pool
        conn: Any = pool.get_connection()
        try:
            conn.send_command(*args)
            return cast(list[Any], conn.read_response(disable_decoding=True))
        except (redis.ConnectionError, redis.TimeoutError):
            conn.disconnect()
            raise
        finally:
            pool.release(conn)
