"""Dead letters: refused input kept with its reasons, so nothing is dropped silently.

One stream per county (``Keys.deadletter``), capped at ``processor.deadletter_maxlen`` entries
(approximate trimming). Every writer (the intake, the camera hooks, the processor's
quarantine, the simulators) builds its entry here (``entry_fields``) and every reader parses it
here (``read_entry``), so the fields are spelled once:

``at`` (ISO time, milliseconds), ``source`` (``unknown`` when none could be told), ``endpoint``
(where it arrived), ``reasons`` (JSON list of ``{field, reason}``), ``raw`` (the payload, cut at
``DEADLETTER_RAW_MAX`` bytes), ``truncated`` (``1`` when cut) and ``remote`` (the sender's
address, or empty).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import redis

from gridwall.contract.refusal import FieldError
from gridwall.platform.keys import Keys

#: Largest raw payload kept in a dead-letter entry (the rest is cut and marked).
DEADLETTER_RAW_MAX = 64 * 1024


def entry_fields(
    source: str,
    endpoint: str,
    reasons: Sequence[FieldError] | str,
    raw: bytes | str,
    *,
    at: datetime,
    remote: str = "",
) -> dict[str, Any]:
    """The fields of one dead-letter entry (``reasons`` as text is one reason about the body)."""
    data = raw.encode("utf-8", "replace") if isinstance(raw, str) else raw
    if isinstance(reasons, str):
        reason_list: list[dict[str, str]] = [{"field": "body", "reason": reasons}]
    else:
        reason_list = [r.as_dict() for r in reasons]
    return {
        "at": at.isoformat(timespec="milliseconds"),
        "source": source or "unknown",
        "endpoint": endpoint,
        "reasons": json.dumps(reason_list, ensure_ascii=False),
        "raw": data[:DEADLETTER_RAW_MAX],
        "truncated": int(len(data) > DEADLETTER_RAW_MAX),
        "remote": remote,
    }


class DeadLetters:
    """Writes one county's dead letters, capped at ``maxlen`` entries."""

    def __init__(self, client: redis.Redis, keys: Keys, tz: ZoneInfo, maxlen: int):
        self._client = client
        self._keys = keys
        self._tz = tz
        self.maxlen = maxlen

    def write(
        self,
        source: str,
        endpoint: str,
        reasons: Sequence[FieldError] | str,
        raw: bytes | str,
        *,
        remote: str = "",
        now: datetime | None = None,
        pipe: Any = None,
    ) -> str:
        """Keep refused input with its reason; returns the dead-letter entry id (``""`` when
        ``pipe``, a pipeline or a transaction, queues the write instead)."""
        at = now or datetime.now(self._tz)
        fields = entry_fields(source, endpoint, reasons, raw, at=at, remote=remote)
        target: Any = self._client if pipe is None else pipe
        entry = target.xadd(self._keys.deadletter, fields, maxlen=self.maxlen, approximate=True)
        if pipe is not None:
            return ""
        return entry.decode() if isinstance(entry, bytes) else str(entry)


def read_entry(
    entry_id: bytes | str, fields: Mapping[bytes, bytes], *, with_raw: bool = True
) -> dict[str, Any]:
    """One stored entry as a listing row: ``raw`` is the payload's text (or ``None`` with
    ``raw_base64`` when it is not UTF-8; left out without ``with_raw``); ``size`` its stored
    length in bytes."""
    item = {_text(k): utf8_text(v) for k, v in fields.items()}
    raw = fields.get(b"raw", b"")
    row: dict[str, Any] = {
        "id": _text(entry_id),
        "at": item.get("at"),
        "source": item.get("source"),
        "endpoint": item.get("endpoint"),
        "reasons": json.loads(item.get("reasons") or "[]"),
        "remote": item.get("remote"),
        "truncated": item.get("truncated") == "1",
        "size": len(raw),
    }
    if not with_raw:
        return row
    row["raw"] = item.get("raw")
    if row["raw"] is None:
        row["raw_base64"] = base64.b64encode(raw).decode("ascii")
    return row


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def utf8_text(value: bytes | str) -> str | None:
    """The value as text, or ``None`` when its bytes are not UTF-8."""
    if isinstance(value, str):
        return value
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return None
