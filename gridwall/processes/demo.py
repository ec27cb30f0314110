"""``gridwall demo``: everything in one command on an embedded Redis.

Starts the embedded Redis (unless ``REDIS_URL`` is set), seeds the demo county, issues the demo
token, runs the worker and the simulator as child processes and the web server in this one,
and on Ctrl-C stops them all and the Redis, leaving no process behind. On the first start a
child process writes 30 days of simulated history (``gridwall history seed``), so the briefing
has real content.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import secrets
import socket
import threading
import time
import webbrowser
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import uvicorn

from gridwall.access.roles import Role, TokenStore
from gridwall.access.users import User, UserStore
from gridwall.history.store import HistoryStore, history_folder
from gridwall.platform.keys import Keys
from gridwall.platform.redisconn import EmbeddedRedis, connect
from gridwall.platform.settings import Settings
from gridwall.processes.procs import Children
from gridwall.processes.server import create_app
from gridwall.sim.county import import_demo_county
from layouts import layout_files

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


ADMIN = "admin"
WALL = "demo-wall"


@dataclass(frozen=True)
class Credentials:
    """What the demo prints: the admin's password and API token, the wall's kiosk token."""

    admin_password: str
    admin_token: str
    wall_token: str
    demo_token: str | None


def seed(settings: Settings, url: str) -> tuple[Credentials, bool]:
    """Seed the demo county when the Redis has none; (re)create the demo admin (a new
    password and token at every start) and the demo wall bound to the default layout.

    The county goes the way a real county's files go: generated, exported into
    ``<data_dir>/demo-county/`` and imported from there.
    """
    client = connect(url)
    keys = Keys(settings.county)
    seeded = False
    if not client.exists(keys.ref_version):
        plan, _ = import_demo_county(
            client,
            keys,
            settings.data_dir / "demo-county",
            county_name=settings.county_name,
            seed=settings.simulator.seed,
            grids=settings.refdata.demo_grids,
        )
        if plan.blocked:
            raise click.ClickException(
                f"the generated demo county has {plan.error_count} errors; please report this"
            )
        seeded = True
    users = UserStore(client, keys, settings.auth)
    tokens = TokenStore(client, keys)
    password = secrets.token_urlsafe(9)
    if users.get(ADMIN) is None:
        users.add(User(name=ADMIN, role=Role.ADMIN), password)
    else:
        users.set_password(ADMIN, password)
        users.set_disabled(ADMIN, False)
        users.unlock(ADMIN)
    if users.get(WALL) is None:
        users.add(User(name=WALL, role=Role.WALL, layout=settings.wall.default_layout))
    demo = settings.demo_token.get_secret_value() if settings.demo_token else None
    tokens.revoke_all(ADMIN)
    tokens.revoke_all(WALL)
    admin_token = tokens.issue(users.principal(ADMIN), demo, label="demo")
    wall_token = tokens.issue(users.principal(WALL), label="demo")
    client.close()
    return Credentials(password, admin_token, wall_token, demo), seeded


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
        # the children share the demo's data folder: history, briefings, audit archive
        children = Children(env={"REDIS_URL": url, "GRIDWALL_DATA_DIR": str(settings.data_dir)})
        try:
            credentials, seeded = seed(settings, url)
            history = seed_history_in_background(settings, children)
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
                    app,
                    host=host,
                    port=port,
                    log_level="warning",
                    ws="websockets-sansio",
                    ws_max_size=settings.http.max_body_bytes,
                )
            )
            base = f"http://{host}:{port}"
            _announce(base, settings, credentials, where, seeded, history=history)
            kiosk = f"{base}/wall/{settings.wall.default_layout}?token={credentials.wall_token}"
            if options.browser:
                threading.Thread(target=_open_when_up, args=(server, kiosk), daemon=True).start()
            with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises Ctrl-C when done
                server.run()
        finally:
            click.echo("gridwall: stopping…")
            children.stop()
            if embedded is not None:
                embedded.stop()
            click.echo("gridwall: stopped.")


def seed_history_in_background(settings: Settings, children: Children) -> bool:
    """On the first start, write ``simulator.history_days`` of simulated history (a child
    process: the wall is up at once; the worker makes yesterday's briefing when it is done)."""
    store = HistoryStore(history_folder(settings))
    if settings.simulator.history_days < 1 or not store.empty():
        return False
    store.mark_seeding()  # before the worker starts: its daily jobs wait for the history
    children.spawn("history", ["history", "seed", "--quiet-if-present"])
    return True


def _announce(
    base: str,
    settings: Settings,
    credentials: Credentials,
    where: str,
    seeded: bool,
    *,
    history: bool,
) -> None:
    layout = settings.wall.default_layout
    token = credentials.admin_token
    kiosk = [
        f"  wall:    {base}/wall/{layout}?token={credentials.wall_token}",
        f"           (kiosk link of the wall {WALL!r}, read-only, bound to {layout!r})",
    ]
    if credentials.demo_token:
        kiosk += [
            f"  kiosk:   {base}/wall/{name}?token={credentials.demo_token}"
            for name in layout_files(settings.wall.layouts_dir)
        ]
    click.echo(
        "\n".join(
            [
                "",
                f"gridwall demo — {settings.county_name} ({settings.county})",
                *kiosk,
                f"  sign in: {base}/login   user {ADMIN}, password {credentials.admin_password}"
                "   (new at every start)",
                f"  API:     {base}/api/openapi.json",
                f"  token:   {token}   (bearer token of the demo admin; "
                "fix it with GRIDWALL_DEMO_TOKEN)",
                f"  redis:   {where}",
                "  county:  "
                + (
                    f"generated now (its files: {settings.data_dir / 'demo-county'})"
                    if seeded
                    else "already there"
                ),
                f"  briefing: {base}/briefing   (the daily briefing: HTML, PDF; "
                + (
                    f"{settings.simulator.history_days} days of simulated history are being "
                    f"written now, about {settings.simulator.history_days // 2} s)"
                    if history
                    else "history in " + str(history_folder(settings)) + ")"
                ),
                "  post an event (the example's reported_at stamped with now):",
                '    sed "s/\\"reported_at\\": \\"[^\\"]*\\"/\\"reported_at\\": '
                '\\"$(date -Iseconds)\\"/" docs/examples/report.json |',
                f"      curl -H 'Authorization: Bearer {token}' \\",
                "        -H 'Content-Type: application/json' \\",
                f"        {base}/api/v1/events -d @-",
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


def _open_when_up(server: uvicorn.Server, url: str) -> None:
    for _ in range(200):
        if server.started:
            webbrowser.open(url)
            return
        time.sleep(0.1)
