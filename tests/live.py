"""A real gridwall server (uvicorn in a thread), processor and SLA clock for end-to-end tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import redis
import uvicorn

from gridwall.engine.alarms.stage import AlarmStage
from gridwall.engine.processor.processor import Processor
from gridwall.engine.sla.clock import SlaClock
from gridwall.platform.keys import Keys
from gridwall.platform.redisconn import free_port
from gridwall.platform.settings import Settings
from gridwall.processes.server import create_app


@dataclass
class Live:
    base: str
    server: uvicorn.Server
    stop: threading.Event


@contextmanager
def live_server(
    settings: Settings, processor: bool = True, clock: bool = False, port: int | None = None
) -> Iterator[Live]:
    """A server (on ``port``, or a free one) with a processor and optionally the SLA clock;
    leaving the block stops them all, so a test can start another on the same port."""
    port = port or free_port()
    url = settings.redis_url or ""
    app = create_app(settings, url)
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio"
        )
    )
    stop = threading.Event()
    threads = [threading.Thread(target=server.run, daemon=True)]
    if processor:
        client = redis.Redis.from_url(url)
        keys = Keys(settings.county)
        proc = Processor(
            client, keys, settings.processor, ZoneInfo(settings.timezone), "live",
            alarms=AlarmStage.from_settings(client, keys, settings),
        )  # fmt: skip
        threads.append(threading.Thread(target=proc.run, args=(stop,), daemon=True))
    if clock:
        sla = SlaClock(
            redis.Redis.from_url(url), Keys(settings.county), settings.sla,
            ZoneInfo(settings.timezone), name="live",
        )  # fmt: skip
        threads.append(threading.Thread(target=sla.run, args=(stop,), daemon=True))
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.05)
    try:
        yield Live(base=f"http://127.0.0.1:{port}", server=server, stop=stop)
    finally:
        stop.set()
        server.should_exit = True
        for thread in threads:
            thread.join(10)
