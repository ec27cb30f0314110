"""``gridwall demo``: everything in one command on an embedded Redis.

Starts the embedded Redis (unless ``REDIS_URL`` is set), seeds the demo county, issues the demo
token, runs the worker and the simulator as child processes and the web server in this one,
and on Ctrl-C stops them all and the Redis, leaving no process behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import socket
import threading
import time
import webbrowser
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import uvicorn

from feeds.access import Principal, Role, TokenStore, new_token
from feeds.keys import Keys
from feeds.redisconn import EmbeddedRedis, connect
from feeds.refdata.demo import generate_county
from feeds.refdata.registry import store_registry
from feeds.settings import Settings
from gridwall.procs import Children
from gridwall.server import create_app

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoOptions:
    simulator: bool = True
    browser: bool = True


@contextlib.contextmanager
def demo_lock(data_dir: Path) -> Iterator[None]:
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / "demo.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise click.ClickException(
                f"another gridwall demo is running on {data_dir}; stop it or use --data-dir"
            ) from None
        yield


def check_port(host: str, port: int) -> None:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise click.ClickException(
                f"cannot listen on {host}:{port} ({exc.strerror}); choose another --port"
            ) from None


def seed(settings: Settings, url: str) -> tuple[str, bool]:
    """Seed the demo county when the Redis has none; issue the demo admin token."""
    client = connect(url)
    keys = Keys(settings.county)
    seeded = False
    if not client.exists(keys.ref_version):
        registry = generate_county(settings.county, settings.county_name, settings.simulator.seed)
        store_registry(client, keys, registry)
        seeded = True
    token = settings.demo_token.get_secret_value() if settings.demo_token else new_token()
    TokenStore(client, keys).issue(Principal(name="demo-admin", role=Role.ADMIN), token)
    client.close()
    return token, seeded


def run_demo(settings: Settings, options: DemoOptions) -> None:
    host, port = settings.http.host, settings.http.port
    check_port(host, port)
    with demo_lock(settings.data_dir):
        embedded: EmbeddedRedis | None = None
        if settings.redis_url:
            url = settings.redis_url
            where = "REDIS_URL"
        else:
            embedded = EmbeddedRedis(settings.data_dir)
            url = embedded.start()
            where = f"embedded redis-server, data in {settings.data_dir / 'redis'}"
        children = Children(env={"REDIS_URL": url})
        try:
            token, seeded = seed(settings, url)
            children.spawn("worker", ["worker"])
            if options.simulator:
                children.spawn(
                    "simulator",
                    ["simulate", "--seed", str(settings.simulator.seed),
                     "--rate", str(settings.simulator.rate)],
                )  # fmt: skip
            app = create_app(settings, url, demo=True)
            server = uvicorn.Server(
                uvicorn.Config(
                    app, host=host, port=port, log_level="warning", ws="websockets-sansio"
                )
            )
            base = f"http://{host}:{port}"
            _announce(base, settings, token, where, seeded)
            if options.browser:
                threading.Thread(target=_open_when_up, args=(server, base), daemon=True).start()
            with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises Ctrl-C when done
                server.run()
        finally:
            click.echo("gridwall: stopping…")
            children.stop()
            if embedded is not None:
                embedded.stop()
            click.echo("gridwall: stopped.")


def _announce(base: str, settings: Settings, token: str, where: str, seeded: bool) -> None:
    layout = settings.wall.default_layout
    click.echo(
        "\n".join(
            [
                "",
                f"gridwall demo — {settings.county_name} ({settings.county})",
                f"  wall:    {base}/wall/{layout}",
                f"  API:     {base}/api/openapi.json",
                f"  token:   {token}   (bearer token of the demo admin; "
                "fix it with GRIDWALL_DEMO_TOKEN)",
                f"  redis:   {where}",
                "  county:  " + ("generated now" if seeded else "already there"),
                "  post an event:",
                f"    curl -H 'Authorization: Bearer {token}' \\",
                "      -H 'Content-Type: application/json' \\",
                f"      {base}/api/v1/events -d @docs/examples/report.json",
                "  replay a camera alarm (loopback is allowed in the demo):",
                "    curl -H 'Content-Type: application/xml' \\",
                "      --data-binary @docs/examples/hikvision-fielddetection.xml \\",
                f"      {base}/api/v1/alarms/hikvision",
                f"  feed health: {base}/api/v1/sources   alarms: {base}/api/v1/alarms",
                "  Ctrl-C stops everything.",
                "",
            ]
        )
    )


def _open_when_up(server: uvicorn.Server, base: str) -> None:
    for _ in range(200):
        if server.started:
            webbrowser.open(base + "/")
            return
        time.sleep(0.1)
