"""Shared pieces of the HTTP layer: the runtime, bearer authentication, capped bodies."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import HTTPException, Request, status

from feeds.access import Principal, Role
from feeds.runtime import Runtime


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def token_principal(request: Request) -> Principal | None:
    """The principal of the request's bearer token, or None."""
    token = bearer_token(request)
    if token is None:
        return None
    return runtime(request).tokens.lookup(token)


def require_bearer(request: Request) -> Principal:
    principal = token_principal(request)
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="a valid bearer token is required",
            headers={"WWW-Authenticate": 'Bearer realm="gridwall"'},
        )
    return principal


def require_roles(*roles: Role) -> Callable[[Request], Principal]:
    """A dependency admitting authenticated principals of the given roles (any role if none).

    401 without valid credentials, 403 for a role not in ``roles``.
    """

    def dependency(request: Request) -> Principal:
        principal = require_bearer(request)
        if roles and principal.role not in roles:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"role {principal.role.value} may not do this",
            )
        return principal

    return dependency


class BodyTooLarge(Exception):
    """The body is over the limit; ``head`` is what was read before refusing."""

    def __init__(self, limit: int, head: bytes = b"") -> None:
        super().__init__(f"body larger than {limit} bytes")
        self.limit = limit
        self.head = head


async def read_body(request: Request, limit: int) -> bytes:
    """Read the body, refusing more than ``limit`` bytes without reading them all."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit, b"".join(chunks))
        chunks.append(chunk)
    return b"".join(chunks)


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""
