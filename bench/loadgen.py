"""A small HTTP/1.1 load generator: pre-built requests over keep-alive connections.

Far cheaper per request than a full client library, so on a 2-core machine the server under
test keeps most of the CPU. Bounded: it sends exactly the requests it is given.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Result:
    elapsed: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    bodies_ok: int = 0


def request(host: str, port: int, path: str, body: bytes, content_type: str) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    ).encode() + body


async def _connection(
    host: str, port: int, queue: list[bytes], result: Result, expect: bytes
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while queue:
            writer.write(queue.pop())
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            body = await reader.readexactly(length)
            result.statuses[status] += 1
            result.bodies_ok += expect in body
    finally:
        writer.close()


async def hammer(
    host: str, port: int, requests: list[bytes], concurrency: int, expect: bytes = b""
) -> Result:
    queue = list(reversed(requests))
    result = Result()
    start = time.perf_counter()
    await asyncio.gather(
        *(_connection(host, port, queue, result, expect) for _ in range(concurrency))
    )
    result.elapsed = time.perf_counter() - start
    return result
