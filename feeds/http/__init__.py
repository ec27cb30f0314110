"""HTTP endpoints that write: event intake (``events.py``), camera hooks (``alarms.py``), their
guards (signatures, rate limits, device authentication) and the per-process feeds service."""
