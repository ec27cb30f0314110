"""Shared plumbing of the feed benchmarks: a private Redis, gridwall processes, cleanup.

Everything runs on this machine (loopback only), is bounded in count and time, and stops by
itself; the processes started here are stopped by their ids when the benchmark ends.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx
import redis

from gridwall.platform.redisconn import free_port, redis_server_binary

COUNTY = "320115"


@dataclass
class Stack:
    redis_url: str
    base: str
    client: redis.Redis
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    redis_pid: int = 0

    def cpu(self) -> dict[str, float]:
        """CPU seconds used so far by the intake, the workers and Redis."""
        found = {"intake": cpu_seconds(self.procs[0].pid), "redis": cpu_seconds(self.redis_pid)}
        found["workers"] = sum(cpu_seconds(p.pid) for p in self.procs[1:])
        return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {k: after[k] - before[k] for k in after}


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


@contextlib.contextmanager
def private_redis(folder: Path) -> Iterator[tuple[str, int]]:
    port = free_port()
    binary = shutil.which("redis-server") or redis_server_binary()
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(200):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    try:
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(10)


@contextlib.contextmanager
def gridwall_stack(
    folder: Path, *, processors: int = 1, feeds: str = "", workers_env: dict[str, str] | None = None
) -> Iterator[Stack]:
    """A private Redis, ``gridwall intake`` and ``processors`` × ``gridwall worker``."""
    with private_redis(folder) as (url, redis_pid):
        port = free_port()
        feeds_file = folder / "feeds.toml"
        feeds_file.write_text(feeds, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDWALL_")}
        env.update(
            {
                "REDIS_URL": url,
                "GRIDWALL_COUNTY": COUNTY,
                "GRIDWALL_DATA_DIR": str(folder / "data"),
                "GRIDWALL_FEEDS__FILE": str(feeds_file),
            }
        )
        env.update(workers_env or {})
        client = redis.Redis.from_url(url)
        subprocess.run(
            [sys.executable, "-m", "gridwall", "import", "demo-county"],
            env=env,
            check=True,
            capture_output=True,
        )
        stack = Stack(url, f"http://127.0.0.1:{port}", client, redis_pid=redis_pid)
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        stack.procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "gridwall", "intake", "--port", str(port)], env=env, **quiet
            )
        )  # type: ignore[call-overload]
        for _ in range(processors):
            stack.procs.append(
                subprocess.Popen([sys.executable, "-m", "gridwall", "worker"], env=env, **quiet)
            )  # type: ignore[call-overload]
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{stack.base}/api/v1/sources", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            yield stack
        finally:
            for proc in stack.procs:
                proc.terminate()
            for proc in stack.procs:
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
