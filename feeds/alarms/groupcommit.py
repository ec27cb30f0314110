"""Group commit of Redis commands from concurrent requests on one event loop.

Under load, many camera posts are in flight at once; each used to pay a Redis round trip of
its own (packing, a system call each way, parsing). Here the first request to arrive sends its
commands at once; requests arriving meanwhile queue theirs, and as soon as the round trip in
flight returns, everything queued goes in **one** pipeline. Nobody waits for a timer: a lone
request goes out at once, a crowd shares round trips. Each caller gets its own replies.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

Commands = list[tuple[Any, ...]]
Execute = Callable[[Commands], Awaitable[list[Any]]]


class GroupCommit:
    def __init__(self, execute: Execute) -> None:
        self._execute = execute
        self._queue: list[tuple[Commands, asyncio.Future[list[Any]]]] = []
        self._busy = False
        self.round_trips = 0

    async def run(self, commands: Commands) -> list[Any]:
        """Send ``commands`` (with whatever else is queued); their replies, in order."""
        future: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        self._queue.append((commands, future))
        if not self._busy:
            self._busy = True
            try:
                while self._queue:
                    batch, self._queue = self._queue, []
                    await self._send(batch)
            finally:
                self._busy = False
        return await future

    async def _send(self, batch: list[tuple[Commands, asyncio.Future[list[Any]]]]) -> None:
        joined = [command for commands, _ in batch for command in commands]
        self.round_trips += 1
        try:
            replies = await self._execute(joined)
        except Exception as exc:
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        at = 0
        for commands, future in batch:
            if not future.done():
                future.set_result(replies[at : at + len(commands)])
            at += len(commands)
