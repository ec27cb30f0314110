"""Every Redis name gridwall uses, and nothing else.

All keys of one county share the hash tag ``{<county code>}`` so that they live on one Redis
Cluster slot: multi-key scripts and transactions stay legal and a city's counties spread over
shards. The contract (type, writer, readers, retention of each key) is in
``docs/streams-and-keys.md``; a test checks that every name below is documented there.

Only Redis 6.2 commands are used against these keys (the embedded server's version).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Consumer group of the processors on the inbox stream.
PROCESSOR_GROUP = "processors"


@dataclass(frozen=True)
class Keys:
    """Key names of one county."""

    county: str

    @property
    def prefix(self) -> str:
        return f"gw:{{{self.county}}}"

    # -- streams -------------------------------------------------------------------------
    @property
    def inbox(self) -> str:
        """Stream of normalized events waiting for the processor (consumer group)."""
        return f"{self.prefix}:inbox"

    @property
    def changes(self) -> str:
        """Stream of incident changes, read by the walls' push hubs."""
        return f"{self.prefix}:changes"

    @property
    def deadletter(self) -> str:
        """Stream of refused input, with the raw payload and the reason."""
        return f"{self.prefix}:deadletter"

    # -- incidents -----------------------------------------------------------------------
    def incident(self, incident_id: str) -> str:
        """String: the incident document (JSON), the processor's to write."""
        return f"{self.prefix}:incident:{incident_id}"

    @property
    def incident_pattern(self) -> str:
        return f"{self.prefix}:incident:*"

    @property
    def dedup(self) -> str:
        """Hash: ``source|source_event_id`` → incident id (or event id for non-reports)."""
        return f"{self.prefix}:dedup"

    def incident_seq(self, day: str) -> str:
        """Counter of incident numbers of one day (``YYYYMMDD``), for readable ids."""
        return f"{self.prefix}:seq:incident:{day}"

    @property
    def open_index(self) -> str:
        """Sorted set: open incident id → reported time (epoch seconds)."""
        return f"{self.prefix}:idx:open"

    @property
    def recent_index(self) -> str:
        """Sorted set: newest incident ids → received time, capped."""
        return f"{self.prefix}:idx:recent"

    @property
    def open_by_area(self) -> str:
        """Hash: area code (grid, community, street, county) → open incidents."""
        return f"{self.prefix}:count:open"

    @property
    def reported_index(self) -> str:
        """Sorted set: every incident id → reported time (epoch s), for exports and KPIs."""
        return f"{self.prefix}:idx:reported"

    @property
    def updated_index(self) -> str:
        """Sorted set: incident id → time of its last change (epoch s), for KPIs of a period."""
        return f"{self.prefix}:idx:updated"

    @property
    def due_index(self) -> str:
        """Sorted set: incident id → its case deadline (办结时限, epoch s), for 应结案."""
        return f"{self.prefix}:idx:due"

    def department_open(self, department: str, role: str) -> str:
        """Set: open incident ids a department handles as ``lead`` (主办) or ``co`` (协办)."""
        return f"{self.prefix}:idx:dept:{department}:{role}"

    @property
    def sla_counts(self) -> str:
        """Hash: ``warning``/``overdue``/``paused`` → open incidents in that SLA state."""
        return f"{self.prefix}:count:sla"

    # -- SLA clock -------------------------------------------------------------------------
    @property
    def sla_due(self) -> str:
        """Sorted set: ``<incident id>|<stage key>`` → epoch ms of the stage's next signal."""
        return f"{self.prefix}:sla:due"

    @property
    def sla_plans(self) -> str:
        """Hash: ``<incident id>|<stage key>`` → the stage's plan (JSON, signals to fire)."""
        return f"{self.prefix}:sla:plans"

    @property
    def closed_index(self) -> str:
        """Sorted set: closed incident id → closed time; the retention purge reads it."""
        return f"{self.prefix}:idx:closed"

    def daily_stats(self, day: str) -> str:
        """Hash of one day's counters (``received``, ``received:h08``, ``closed`` ...)."""
        return f"{self.prefix}:stats:{day}"

    # -- reference data ------------------------------------------------------------------
    @property
    def ref_version(self) -> str:
        """Counter: bumped by every reference-data import."""
        return f"{self.prefix}:ref:version"

    def ref(self, kind: str) -> str:
        """Hash of one kind of reference data (areas, categories ...): code → JSON."""
        return f"{self.prefix}:ref:{kind}"

    @property
    def ref_log(self) -> str:
        """Stream: one entry per applied reference-data import (version, counts, files)."""
        return f"{self.prefix}:ref:log"

    # -- processes -----------------------------------------------------------------------
    def heartbeat(self, role: str, name: str) -> str:
        """String with TTL: a running process of a role (``processor``) says it is alive."""
        return f"{self.prefix}:hb:{role}:{name}"

    def heartbeat_pattern(self, role: str) -> str:
        return f"{self.prefix}:hb:{role}:*"

    # -- access --------------------------------------------------------------------------
    @property
    def api_tokens(self) -> str:
        """Hash: SHA-256 of an API token → its record (principal, id, label, created)."""
        return f"{self.prefix}:auth:tokens"

    @property
    def users(self) -> str:
        """Hash: user name → user record (role, department, argon2 hash, disabled)."""
        return f"{self.prefix}:auth:users"

    def session(self, session_hash: str) -> str:
        """String with TTL (the idle timeout): one web session (SHA-256 of its id)."""
        return f"{self.prefix}:auth:session:{session_hash}"

    def user_sessions(self, name: str) -> str:
        """Set: session keys of one user, to end them all (disable, new password)."""
        return f"{self.prefix}:auth:user-sessions:{name}"

    def login_failures(self, name: str) -> str:
        """Counter with TTL (the lockout window): failed sign-ins of one name."""
        return f"{self.prefix}:auth:fail:{name}"

    def lockout(self, name: str) -> str:
        """String with TTL (the lockout time): the name is locked while it exists."""
        return f"{self.prefix}:auth:lock:{name}"

    # -- audit ---------------------------------------------------------------------------
    @property
    def audit(self) -> str:
        """Stream, append-only: who did what, when, from where (logins, unmaskings ...)."""
        return f"{self.prefix}:audit"

    @property
    def audit_archived(self) -> str:
        """String: id of the last audit entry written to the archive files."""
        return f"{self.prefix}:audit:archived"

    # -- history -------------------------------------------------------------------------
    @property
    def history_archived(self) -> str:
        """String: epoch seconds up to which changed cases were written to the history."""
        return f"{self.prefix}:history:archived"

    def daily_lock(self, job: str) -> str:
        """String with TTL: held by the one worker running a daily job (archive, briefing)."""
        return f"{self.prefix}:lock:daily:{job}"

    @property
    def housekeeping_lock(self) -> str:
        """String with TTL: held by the one worker running the purge and archiving."""
        return f"{self.prefix}:lock:housekeeping"

    # -- sources (feeds) -----------------------------------------------------------------
    @property
    def source_index(self) -> str:
        """Set: ids of every source that ever reported health."""
        return f"{self.prefix}:src:index"

    def source_health(self, source: str) -> str:
        """Hash: health of one source (last event, totals, errors, connected, last error)."""
        return f"{self.prefix}:src:{source}"

    def source_minute(self, source: str, minute: int) -> str:
        """Counter (TTL 5 min): events of one source in one minute (epoch minutes)."""
        return f"{self.prefix}:src:{source}:epm:{minute}"

    def source_cursor(self, source: str) -> str:
        """String: where a polling or streaming client resumes (last id or time)."""
        return f"{self.prefix}:src:{source}:cursor"

    def source_tracked(self, source: str) -> str:
        """Hash: upstream ids a poller still follows (Open311 open requests) → last status."""
        return f"{self.prefix}:src:{source}:tracked"

    def source_credentials(self, source: str) -> str:
        """Hash: SHA-256 of a source token → its metadata (issued, expires, label)."""
        return f"{self.prefix}:auth:source:{source}"

    def signature_nonce(self, digest: str) -> str:
        """String (TTL): a signed request already seen (replay protection)."""
        return f"{self.prefix}:auth:nonce:{digest}"

    def rate_window(self, source: str, window: int) -> str:
        """Counter (TTL): events of a source in one rate-limit window."""
        return f"{self.prefix}:rate:{source}:{window}"

    def backfill_checkpoint(self, source: str, digest: str) -> str:
        """Hash: progress of one backfill file (rows done, accepted, refused)."""
        return f"{self.prefix}:backfill:{source}:{digest}"

    # -- cameras and alarms ----------------------------------------------------------------
    @property
    def camera_seen(self) -> str:
        """Hash: camera id → last time it was heard from (epoch s): alarms and heartbeats."""
        return f"{self.prefix}:cam:seen"

    @property
    def cameras_unknown(self) -> str:
        """Hash: device identity not in the registry → JSON (source, first/last seen)."""
        return f"{self.prefix}:cam:unknown"

    @property
    def cameras_unknown_count(self) -> str:
        """Hash: device identity not in the registry → alarms and heartbeats received."""
        return f"{self.prefix}:cam:unknown:n"

    def alarm_dedup(self, source: str, source_event_id: str) -> str:
        """String (TTL alarms.retention_s): an alarm already taken in."""
        return f"{self.prefix}:alarm:dedup:{source}|{source_event_id}"

    def alarm_raw(self, event_id: str) -> str:
        """String (TTL alarms.retention_s): the raw payload of one alarm event (bounded)."""
        return f"{self.prefix}:alarm:raw:{event_id}"

    def alarm(self, alarm_id: str) -> str:
        """String (JSON, TTL alarms.retention_s): one merged alarm, the processor's to write."""
        return f"{self.prefix}:alarm:doc:{alarm_id}"

    def alarm_current(self, subject: str, alarm_type: str) -> str:
        """String (TTL): id of the alarm that repeats of (camera, type) merge into."""
        return f"{self.prefix}:alarm:cur:{subject}|{alarm_type}"

    @property
    def alarm_index(self) -> str:
        """Sorted set: alarm id → last seen (epoch s), newest capped at alarms.index_size."""
        return f"{self.prefix}:idx:alarms"

    @property
    def alarm_changes(self) -> str:
        """Stream of alarm changes (new, merge, end), read by the walls."""
        return f"{self.prefix}:alarm-changes"

    # -- the wall ------------------------------------------------------------------------
    def alarm_ack(self, item: str) -> str:
        """String (JSON, TTL wall.ack_retention_s): who acknowledged an alarm-strip item and
        when; ``item`` is ``inc:<incident>``, ``sla:<incident>:<deadline>`` or ``cam:<alarm>``."""
        return f"{self.prefix}:ack:{item}"

    @property
    def acks(self) -> str:
        """Stream of acknowledgements, read by every wall server's push hub."""
        return f"{self.prefix}:acks"

    @property
    def digest_secret(self) -> str:
        """String: the shared secret that signs HTTP digest nonces of camera endpoints."""
        return f"{self.prefix}:auth:digest"
