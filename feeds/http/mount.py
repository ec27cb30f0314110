"""Mounting the feed write routes (events, camera hooks) on the server's app."""

from __future__ import annotations

from fastapi import FastAPI

from feeds.http import alarms, events
from feeds.http.service import FeedsService
from gridwall.web.policy import Policy


def install(app: FastAPI, service: FeedsService) -> None:
    """Mount the feed write routes and keep the service on the app."""
    app.state.feeds = service
    app.include_router(events.router)
    app.router.routes.extend(alarms.ROUTES)
    policies = getattr(app.state, "policies", None)
    if policies is not None:  # cameras: address lists and basic/digest, checked by the route
        for route in alarms.ROUTES:
            policies.declare(route.path, Policy(self_authenticated=True))
