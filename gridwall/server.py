"""The HTTP server: FastAPI with the intake, the read API and the wall (Dash) as parts.

``gridwall demo`` serves all parts on one port; production runs ``gridwall intake`` (writes)
and ``gridwall wall`` (reads and the wall) as separate, stateless processes.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Collection
from typing import Literal

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from dashboard.api import feeds as feed_reads
from dashboard.api import health, incidents, open311, refdata
from dashboard.queries import Queries
from dashboard.wall.app import create_wall
from dashboard.wall.hub import PushHub
from feeds.http.service import FeedsService, install
from feeds.runtime import Runtime
from feeds.settings import Settings
from gridwall import __version__

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
    hub = PushHub(
        queries,
        coalesce_ms=settings.wall.coalesce_ms,
        resync_s=settings.wall.resync_s,
        recent=max(settings.wall.recent_incidents, 20),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
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
    )
    app.state.runtime = rt
    app.state.queries = queries
    app.state.hub = hub
    if feeds is not None:
        install(app, feeds)
    if "api" in parts or "wall" in parts:
        app.include_router(health.router)
    if "api" in parts:
        app.include_router(incidents.router)
        app.include_router(refdata.router)
        app.include_router(feed_reads.router)
        app.include_router(open311.router)
    if "wall" in parts:

        @app.get("/", include_in_schema=False)
        async def root() -> RedirectResponse:
            return RedirectResponse(f"/wall/{settings.wall.default_layout}")

        create_wall(app, rt, queries, hub)
    return app
