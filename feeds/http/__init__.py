"""HTTP endpoints that write: event intake (and, later, device hooks)."""
