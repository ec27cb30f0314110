"""The wall's Dash app, mounted on the FastAPI server at ``/wall/``.

Pages: ``/wall/<layout>`` (every screen of a layout side by side is not useful on one display,
so it shows screen 1) and ``/wall/<layout>/screen/<n>``. The page itself is an empty shell;
one persistent websocket callback per connected screen (``live``) reads the path, renders the
screen with a fresh snapshot, then pushes only what changed, coalesced by the push hub.
When the websocket comes back after a drop, Dash restarts the callback, which re-renders the
screen: a full resync. A clientside watchdog shows the disconnect banner and, as a last
resort, reloads the page.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dash import Dash, Input, Output, State, ctx, dcc, html, set_props
from dash.development.base_component import Component
from fastapi import FastAPI
from starlette.requests import HTTPConnection

from dashboard.auth.dash import PAGE_PATH, callback_roles, layout_of_path, layout_refusal
from dashboard.queries import Queries
from dashboard.wall.hub import PushHub, Snapshot
from dashboard.wall.i18n import Texts, pick_language
from dashboard.wall.layouts import LayoutError, ScreenSpec, WallLayout, load_layout
from dashboard.wall.mapdata import Geometry
from dashboard.wall.panels import PANELS
from dashboard.wall.panels import alarms as alarm_panel
from dashboard.wall.panels import map as map_panel
from dashboard.wall.panels.base import PanelContext, Props, data
from dashboard.wall.theme import font_px
from gridwall.access.roles import Principal, Role
from gridwall.access.sessions import CSRF_COOKIE, CSRF_HEADER, SessionStore
from gridwall.runtime import Runtime
from gridwall.web.policy import Policy, PolicyRegistry, current_auth

log = logging.getLogger(__name__)

ASSETS = Path(__file__).parent / "assets"
PATH = PAGE_PATH
#: Who may open a wall: department users see their own cases only, not the county's wall.
WALL_ROLES = frozenset({Role.WALL, Role.OPERATOR, Role.LEADER, Role.ADMIN})


@dataclass(frozen=True)
class Page:
    layout: WallLayout
    screen_index: int
    texts: Texts

    @property
    def screen(self) -> ScreenSpec:
        return self.layout.screens[self.screen_index]


class PageError(LookupError):
    pass


def resolve_page(rt: Runtime, pathname: str, search: str) -> Page:
    """Which layout and screen a path shows, or PageError with a message for the screen."""
    texts = Texts(pick_language(search or "", rt.settings.wall.language))
    match = PATH.match(pathname or "")
    name = (match and match.group("name")) or rt.settings.wall.default_layout
    try:
        layout = load_layout(name, rt.settings.wall.layouts_dir)
    except LayoutError as exc:
        log.warning("wall page %s: %s", pathname, exc)
        raise PageError(texts("no_layout", name=name)) from exc
    number = int((match and match.group("n")) or 1)
    if not 1 <= number <= len(layout.screens):
        raise PageError(texts("no_screen", name=name, n=number))
    return Page(layout=layout, screen_index=number - 1, texts=texts)


def screen_style(page: Page) -> dict[str, str]:
    layout, screen = page.layout, page.screen
    return {
        "gridTemplateColumns": f"repeat({screen.columns}, minmax(0, 1fr))",
        "gridTemplateRows": f"repeat({screen.rows}, minmax(0, 1fr))",
        "--fs-body": f"{font_px(layout, 24)}px",
        "--fs-small": f"{font_px(layout, 24)}px",
        "--fs-title": f"{font_px(layout, 28)}px",
        "--fs-key": f"{font_px(layout, 48)}px",
        "--fs-huge": f"{font_px(layout, 64)}px",
        "--gap": f"{font_px(layout, 12)}px",
    }


class WallView:
    """Rendering and diffing of one connected screen (pure given the snapshots; it keeps what
    this screen's browser holds, for the panels that patch lists by position)."""

    def __init__(self, rt: Runtime, page: Page, geometry: Geometry, can_ack: bool) -> None:
        registry = rt.registry.get()
        screen = page.screen
        self.page = page
        self.panels = [
            (
                PANELS[spec.type],
                PanelContext(
                    pid,
                    spec,
                    page.layout,
                    page.texts,
                    registry,
                    rt.settings,
                    can_ack=can_ack,
                    opts=spec.opts,
                    geometry=geometry,
                ),
                number,
            )
            for pid, spec, number in zip(
                screen.panel_ids(), screen.all_panels(), screen.page_of(), strict=True
            )
        ]

    def render(self, snap: Snapshot) -> Component:
        slots = []
        for panel, pctx, number in self.panels:
            spec = pctx.spec
            extra: Any = {} if number is None else data("page", str(number))
            slots.append(
                html.Div(
                    panel.render(pctx, snap),
                    id=pctx.pid,
                    className=f"gw-slot gw-slot-{spec.type}" + (" gw-off" if number else ""),
                    style={
                        "gridColumn": f"{spec.col} / span {spec.width}",
                        "gridRow": f"{spec.row} / span {spec.height}",
                    },
                    **extra,
                )
            )
        rotation = self.page.screen.rotation
        attrs: Any = {}
        if rotation is not None:
            attrs = {
                **data("rotate", str(rotation.interval_s)),
                **data("pages", str(len(rotation.pages))),
            }
        return html.Div(
            slots,
            className="gw-screen",
            style=screen_style(self.page),
            **attrs,
            lang="en" if self.page.texts.language == "en" else "zh-CN",
        )

    def diff(self, old: Snapshot, new: Snapshot, changes: list[Any]) -> Props:
        props: Props = {}
        for panel, pctx, _number in self.panels:
            props.update(panel.update(pctx, old, new, changes))
        return props


def _error(message: str) -> Component:
    return html.Div(message, className="gw-error")


def _client_config(rt: Runtime) -> dict[str, Any]:
    """What the browser's scripts need (``assets/wall.js``)."""
    settings = rt.settings.wall
    texts = Texts(settings.language)
    return {
        "disconnectedAfter": settings.disconnected_after_s,
        "reloadAfter": settings.reload_after_s,
        "healthUrl": "/api/v1/health",
        "tz": rt.settings.timezone,
        "mapResetS": settings.map_reset_s,
        "chime": settings.chime,
        "texts": {
            k: {lang: Texts(lang)(k) for lang in ("zh-CN", "en")}
            for k in ("connected", "disconnected", "sound.on", "sound.off", "sound.none")
        },
        "language": texts.language,
    }


def use_basic_plotly() -> None:
    """Serve plotly.js's basic bundle (bar, scatter, pie: what the wall draws; 1.2 MB,
    ``assets/vendor/plotly-basic.min.js``, the same version as the plotly package's) instead of
    the full one Dash loads on every page (4.8 MB): parsing that took a cold wall about 1.2 s
    of its first render. dcc.Graph uses ``window.Plotly`` when it is there."""
    bundles = getattr(dcc, "_js_dist", None)  # Dash's private list (pinned, contract-tested)
    if isinstance(bundles, list):
        bundles[:] = [r for r in bundles if r.get("namespace") != "plotly"]
    else:
        log.warning("dash changed: the full plotly.js bundle is served (dcc._js_dist is gone)")


def create_wall(server: FastAPI, rt: Runtime, queries: Queries, hub: PushHub) -> Dash:
    settings = rt.settings.wall
    app = Dash(
        "gridwall.wall",
        server=server,  # type: ignore[arg-type]  # Dash types only Flask
        backend="fastapi",
        url_base_pathname="/wall/",
        assets_folder=str(ASSETS),
        serve_locally=True,
        title="gridwall",
        update_title=None,  # type: ignore[arg-type]  # None disables it
        websocket_callbacks=True,
        websocket_inactivity_timeout=0,
        websocket_heartbeat_interval=10_000,
        suppress_callback_exceptions=True,
        compress=False,
        csrf_token_name=CSRF_COOKIE,  # the renderer echoes it in the header the guard checks
        csrf_header_name=CSRF_HEADER,
    )
    use_basic_plotly()
    texts = Texts(settings.language)
    app.layout = html.Div(
        [
            dcc.Location(id="url", refresh=False),
            dcc.Store(id="gw-hb"),
            dcc.Store(id="gw-cfg", data=_client_config(rt)),
            dcc.Store(id=alarm_panel.CHIME),
            dcc.Interval(id="gw-tick", interval=1000),
            html.Div(texts("reconnecting"), id="gw-banner"),
            html.Div(html.Div(texts("loading"), className="gw-error"), id="gw-screen"),
        ]
    )
    app.clientside_callback(  # type: ignore[no-untyped-call]
        "function (hb) { return window.dash_clientside.gridwall.beat(hb); }",
        Output("gw-hb", "id"),
        Input("gw-hb", "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(  # type: ignore[no-untyped-call]
        "function (n, cfg) { return window.dash_clientside.gridwall.watch(n, cfg); }",
        Output("gw-banner", "className"),
        Input("gw-tick", "n_intervals"),
        State("gw-cfg", "data"),
    )
    app.clientside_callback(  # type: ignore[no-untyped-call]
        "function (c) { return window.dash_clientside.gridwall.chime(c); }",
        Output(alarm_panel.CHIME, "id"),
        Input(alarm_panel.CHIME, "data"),
        prevent_initial_call=True,
    )
    geometry = Geometry()
    map_panel.register(app, rt, geometry)
    alarm_panel.register(app, rt)
    sessions: SessionStore = server.state.sessions
    recheck_s = rt.settings.auth.recheck_s

    @app.callback()  # persistent: no inputs, no outputs; restarted on every (re)connect
    @callback_roles(*WALL_ROLES)
    async def live() -> None:
        ws = ctx.websocket
        auth = current_auth.get()
        pathname = await ws.get_prop("url", "pathname")
        search = await ws.get_prop("url", "search")
        try:
            page = resolve_page(rt, pathname or "", search or "")
        except PageError as exc:
            set_props("gw-screen", {"children": _error(str(exc))})
            return
        refused = auth is None or layout_refusal(auth.principal, page.layout.name)
        if refused or auth is None:
            set_props("gw-screen", {"children": _error(page.texts("not_allowed"))})
            return
        can_ack = auth.principal.role in alarm_panel.ACK_ROLES
        view = WallView(rt, page, geometry, can_ack)
        sub = hub.subscribe()
        checked = time.monotonic()
        try:
            snap = await hub.snapshot()
            set_props("gw-screen", {"children": view.render(snap)})
            set_props("gw-hb", {"data": {"t": snap.at.timestamp()}})
            while not ws.is_shutdown:
                got = await sub.wait(settings.heartbeat_s)
                if got is not None:
                    new, changes = got
                    for cid, props in view.diff(snap, new, changes).items():
                        set_props(cid, props)
                    snap = new
                if auth.cookie and time.monotonic() - checked >= recheck_s:
                    checked = time.monotonic()
                    if not await sessions.alive(auth.cookie):  # signed out, expired, revoked
                        set_props("gw-screen", {"children": _error(page.texts("session_ended"))})
                        set_props("gw-cfg", {"data": {"reloadAfter": 1, "healthUrl": "/login"}})
                        return
                set_props("gw-hb", {"data": {"t": rt.now().timestamp()}})
        finally:
            sub.close()

    # Dash 4.4 runs its first-request setup (which collects assets/) only for requests to the
    # prefix itself or to /_dash-*; a first visit to /wall/<layout> would get a page without
    # wall.css and wall.js. Run the setup now, once the layout and callbacks exist.
    setup = getattr(app, "_setup_server", None)  # Dash's private hook (pinned, contract-tested)
    if callable(setup):
        setup()
    else:
        log.warning("dash changed: Dash._setup_server is gone; assets load on first request")
    declare_policies(app, server.state.policies, rt.settings.wall.default_layout)
    return app


def declare_policies(app: Dash, registry: PolicyRegistry, default_layout: str) -> None:
    """Policies of the routes Dash makes (they carry no dependency of ours): the page and the
    callback endpoints for wall roles, the static bundles for everyone. A route Dash adds in
    a later version has none and is refused until it is declared here."""
    prefix = app.config.routes_pathname_prefix

    def page_check(principal: Principal, conn: HTTPConnection) -> str | None:
        layout = layout_of_path(conn.url.path, default_layout)
        if layout is None:  # Dash's catch-all answers every path with the page: not ours
            return "not a wall page"
        return layout_refusal(principal, layout)

    page = Policy(roles=WALL_ROLES, check=page_check)
    viewers = Policy(roles=WALL_ROLES)
    static = Policy(public=True)
    for path, policy in {
        prefix: page,
        "{path:path}": page,  # Dash's catch-all (added at startup, without the prefix)
        prefix + "_dash-layout": viewers,
        prefix + "_dash-dependencies": viewers,
        prefix + "_dash-update-component": Policy(roles=WALL_ROLES, writes=False),
        prefix + "_dash-ws-callback": viewers,
        prefix + "_reload-hash": viewers,
        prefix + "_favicon.ico": static,
        prefix + "_dash-component-suites/{package_name}/{fingerprinted_path:path}": static,
        prefix + "assets": static,
    }.items():
        registry.declare(path, policy)
