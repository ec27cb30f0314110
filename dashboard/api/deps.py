"""Dependencies of the read API."""

from __future__ import annotations

from fastapi import Request

from dashboard.queries import Queries


def queries(request: Request) -> Queries:
    q: Queries = request.app.state.queries
    return q
