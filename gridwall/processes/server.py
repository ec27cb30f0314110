"""The HTTP server: FastAPI with the intake, the read API and the wall (Dash) as parts.

``gridwall demo`` serves all parts on one port; production runs ``gridwall intake`` (writes)
and ``gridwall wall`` (reads and the wall) as separate, stateless processes.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Collection
from typing import Literal
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI

from dashboard.api import audit, health, incidents, metrics, open311, refdata, sla
from dashboard.api import feeds as feed_reads
from dashboard.auth import login
from dashboard.pages import briefing as briefing_page
from dashboard.pages import incident as incident_page
from dashboard.queries import Queries
from dashboard.wall.app import create_wall
from dashboard.wall.hub import PushHub
from feeds.adapters.registry import load_feeds
from feeds.http import actions
from feeds.http.mount import install
from feeds.http.service import FeedsService
from gridwall import __version__
from gridwall.access.privacy import install_log_filter
from gridwall.access.roles import PEOPLE, Role
from gridwall.access.sessions import SessionStore
from gridwall.access.users import UserStore
from gridwall.platform.settings import Settings
from gridwall.runtime import Runtime
from gridwall.web.guard import BodyLimitExceeded, Guard, body_limit_handler, content_security_policy
from gridwall.web.policy import Policy, PolicyRegistry, enforce_policy

log = logging.getLogger(__name__)

Part = Literal["intake", "api", "wall"]
ALL_PARTS: tuple[Part, ...] = ("intake", "api", "wall")


def create_app(
    settings: Settings,
    redis_url: str,
    parts: Collection[Part] = ALL_PARTS,
    *,
    demo: bool = False,
    adapters: bool = True,
) -> FastAPI:
    """The app; with the intake part, ``adapters`` runs the feeds file's listeners and clients
    (``demo`` uses the shipped demo sources when no feeds file is set)."""
    rt = Runtime.create(settings, redis_url)
    feeds = FeedsService.create(rt, demo=demo, run_adapters=adapters) if "intake" in parts else None
    queries = Queries(rt)
    sources = feeds.feeds if feeds is not None else load_feeds(settings.feeds.file)
    hub = PushHub(
        queries,
        coalesce_ms=settings.wall.coalesce_ms,
        resync_s=settings.wall.resync_s,
        recent=max(settings.wall.recent_incidents, 20),
        source_infos=sources.infos,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        install_log_filter()  # after the server configured its logging
        if "wall" in parts:
            hub.start()
        if feeds is not None:
            await feeds.start()
        try:
            yield
        finally:
            if feeds is not None:
                await feeds.stop()
            await hub.stop()
            await rt.aclose()

    production = settings.http.production
    app = FastAPI(
        title="gridwall",
        version=__version__,
        openapi_url="/api/openapi.json",
        docs_url=None,  # Swagger UI would load from a CDN; the spec is at /api/openapi.json
        redoc_url=None,
        lifespan=lifespan,
        debug=not production,
        dependencies=[Depends(enforce_policy)],  # every route: its declared policy, or refused
    )
    registry = PolicyRegistry()
    registry.declare(app.openapi_url or "", Policy(roles=PEOPLE | {Role.SOURCE}))
    app.state.runtime = rt
    app.state.queries = queries
    app.state.hub = hub
    app.state.source_infos = sources.infos  # the read side sees sources only through this
    app.state.policies = registry
    app.state.sessions = SessionStore(rt.aclient, rt.keys, settings)
    app.state.users = UserStore(rt.client, rt.keys, settings.auth)
    app.add_exception_handler(BodyLimitExceeded, body_limit_handler)
    if feeds is not None:
        install(app, feeds)
        app.include_router(actions.router)
    if "api" in parts or "wall" in parts:
        app.include_router(health.router)
        app.include_router(login.router)
    if "api" in parts:
        app.include_router(incidents.router)
        app.include_router(refdata.router)
        app.include_router(sla.router)
        app.include_router(metrics.router)
        app.include_router(audit.router)
        app.include_router(incident_page.router)
        app.include_router(feed_reads.router)
        app.include_router(open311.router)
        app.include_router(briefing_page.router)
    hashes: list[str] = []
    if "wall" in parts:
        wall = create_wall(app, rt, queries, hub)
        app.state.wall = wall
        hashes = list(wall.csp_hashes())
    app.state.csp = content_security_policy(
        hashes, settings.http.frame_ancestors, _tile_sources(settings.wall.tile_url)
    )
    app.add_middleware(
        Guard,
        fastapi_app=app,
        rt=rt,
        sessions=app.state.sessions,
        registry=registry,
        csp=lambda: str(app.state.csp),
    )
    return app


def _tile_sources(tile_url: str | None) -> list[str]:
    """The CSP source of the map's tile server (``{s}`` subdomains become a wildcard)."""
    if not tile_url:
        return []
    parts = urlsplit(tile_url)
    host = parts.netloc.replace("{s}.", "*.")
    return [f"{parts.scheme}://{host}"] if parts.scheme and host and "{" not in host else []
