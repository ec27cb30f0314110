"""Acknowledging an alarm-strip item (确认): who and when, kept in Redis and audited.

An operator (or an admin) acknowledges an item from the wall (the alarm strip's 确认 button,
a role-checked Dash callback). The first acknowledgement of an item stands: it is written with
``SET NX`` under ``Keys.alarm_ack(item)`` for ``wall.ack_retention_s``, announced on the
``acks`` stream (so every wall server's push hub shows it at once) and recorded in the audit
trail (``alarm-ack``) with the caller, the way they signed in and their address.
"""

from __future__ import annotations

import json
import re
import time

from gridwall.access.audit import AuditAction, audit_async, audit_fields
from gridwall.runtime import Runtime
from gridwall.web.policy import Auth

#: Item keys: ``inc:<incident>``, ``sla:<incident>:<deadline>``, ``cam:<alarm>``.
ITEM = re.compile(r"^(inc|sla|cam):[0-9A-Za-z_.:+|?@/-]{1,160}$")
#: Approximate length kept of the acknowledgement stream.
ACKS_MAXLEN = 10_000


class BadItem(ValueError):
    """Not an alarm-strip item key."""


async def acknowledge(rt: Runtime, auth: Auth, item: str, remote: str = "") -> bool:
    """Acknowledge ``item`` as the caller; False when someone acknowledged it first."""
    if not ITEM.match(item):
        raise BadItem(f"not an alarm item: {item[:40]!r}")
    name, now = auth.principal.name, time.time()
    record = json.dumps({"by": name, "at": now}, ensure_ascii=False)
    first = await rt.aclient.set(
        rt.keys.alarm_ack(item), record, nx=True, ex=rt.settings.wall.ack_retention_s
    )
    fields = audit_fields(
        AuditAction.ALARM_ACK,
        actor=auth.principal,
        target=item,
        remote=remote,
        via=auth.via,
        outcome="ok" if first else "already-acknowledged",
    )
    await audit_async(rt.aclient, rt.keys, fields)
    if first:
        await rt.aclient.xadd(
            rt.keys.acks,
            {"item": item, "by": name, "at": f"{now:.3f}"},
            maxlen=ACKS_MAXLEN,
            approximate=True,
        )
    return bool(first)
