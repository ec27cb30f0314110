"""Guards of the HTTP intake: signed bodies (HMAC-SHA256 with a timestamp, replays refused)
and per-source rate limits.

Signature: ``X-Gridwall-Timestamp: <unix seconds>`` and
``X-Gridwall-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>." + body>`` with the source's
secret. A timestamp further than ``feeds.hmac_tolerance_s`` from now is refused, and so is a
signature already seen within twice that tolerance (the nonce key lives that long).

Rate limit: events per source per minute, counted in fixed one-minute windows in Redis (so
every intake process shares them); past the limit the request is refused with 429 and
``Retry-After`` (the seconds until the window turns).
"""

from __future__ import annotations

import hashlib
import hmac
import math

import redis

from gridwall.platform.keys import Keys

TIMESTAMP_HEADER = "x-gridwall-timestamp"
SIGNATURE_HEADER = "x-gridwall-signature"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value for a body (what a sender computes)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(
    client: redis.Redis,
    keys: Keys,
    secret: str,
    body: bytes,
    *,
    timestamp: str | None,
    signature: str | None,
    now: float,
    tolerance_s: int,
) -> str | None:
    """None when the body is signed correctly and for the first time, else the reason."""
    if not timestamp or not signature:
        return "this source must sign its requests (X-Gridwall-Timestamp, X-Gridwall-Signature)"
    if not timestamp.isdigit():
        return "X-Gridwall-Timestamp must be unix seconds"
    if abs(now - int(timestamp)) > tolerance_s:
        return f"timestamp more than {tolerance_s} s away from the server's clock"
    if not hmac.compare_digest(sign(secret, timestamp, body), signature.strip()):
        return "signature does not match the body"
    digest = hashlib.sha256(signature.encode()).hexdigest()[:32]
    if not client.set(keys.signature_nonce(digest), 1, nx=True, ex=2 * tolerance_s):
        return "replayed request (this signature was already used)"
    return None


def take_rate(
    client: redis.Redis, keys: Keys, source: str, count: int, *, limit_per_min: int, now: float
) -> float | None:
    """Count ``count`` events against the source's minute; None if allowed, else Retry-After."""
    window = int(now // 60)
    key = keys.rate_window(source, window)
    pipe = client.pipeline(transaction=False)
    pipe.incrby(key, count)
    pipe.expire(key, 120)
    total = int(pipe.execute()[0])
    if total <= limit_per_min:
        return None
    client.decrby(key, count)  # refused events do not use up the allowance
    return float(max(1, math.ceil((window + 1) * 60 - now)))
