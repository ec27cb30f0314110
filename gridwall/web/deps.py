"""Shared pieces of the HTTP layer: the runtime, access policies, auditing, capped bodies.

Every route declares who may call it with one dependency: ``require_roles(...)``,
``require_scoped_roles(...)``, ``public`` or ``self_authenticated`` (see
``gridwall.web.policy`` and docs/access-control.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, NoReturn, cast

from fastapi import HTTPException, Request, WebSocketException
from starlette.requests import HTTPConnection

from gridwall.access.audit import audit_async, audit_fields
from gridwall.access.roles import Principal, Role
from gridwall.runtime import Runtime
from gridwall.web.policy import (
    AUTH_STATE,
    POLICY_ATTR,
    UNSAFE_METHODS,
    Auth,
    Policy,
    client_ip,
    get_auth,
    mark,
    refusal,
)


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


def _caller(conn: HTTPConnection) -> Auth | None:
    """The caller the guard found (bearer or session); without the guard, the bearer token."""
    auth = get_auth(conn)
    if auth is None and AUTH_STATE not in conn.scope and isinstance(conn, Request):
        principal = token_principal(conn)
        auth = None if principal is None else Auth(principal=principal, via="bearer")
    return auth


def _refuse(conn: HTTPConnection, reason: str, code: int) -> NoReturn:
    if conn.scope["type"] == "websocket":
        raise WebSocketException(code=4401 if code == 401 else 4403, reason=reason)
    headers = {"WWW-Authenticate": 'Bearer realm="gridwall"'} if code == 401 else None
    raise HTTPException(code, detail=reason, headers=headers)


def require_roles(*roles: Role, writes: bool = True) -> Callable[..., Awaitable[Principal]]:
    """A dependency admitting authenticated principals of the given roles (any role if none),
    by bearer token or session cookie; it also declares the route's access policy.

    401 without valid credentials, 403 for a role not in ``roles`` (and for walls, which are
    read-only, on any write). ``writes=False`` marks a POST that changes nothing.
    """
    policy = Policy(roles=frozenset(roles) or frozenset(Role), writes=writes)

    async def dependency(conn: HTTPConnection) -> Principal:
        auth = _caller(conn)
        reason, code = refusal(policy, auth, conn, conn.scope.get("method", "GET"))
        if reason is not None or auth is None:
            _refuse(conn, reason or "sign in or send a valid bearer token", code or 401)
        return auth.principal

    return cast("Callable[..., Awaitable[Principal]]", mark(dependency, policy))


def require_scoped_roles(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """Like ``require_roles``, for routes about one case: department users among ``roles``
    reach only their own department's cases, which the route checks with
    ``gridwall.access.roles.can_read_incident``."""
    dependency = require_roles(*roles)
    policy: Policy = getattr(dependency, POLICY_ATTR)
    return cast(
        "Callable[..., Awaitable[Principal]]",
        mark(dependency, Policy(roles=policy.roles, writes=policy.writes, scoped=True)),
    )


def require_bearer(request: Request) -> Principal:
    """Any principal authenticated by a bearer token (not a cookie); walls may not write."""
    principal = token_principal(request)
    if principal is None:
        _refuse(request, "a valid bearer token is required", 401)
    if principal.role is Role.WALL and request.method in UNSAFE_METHODS:
        _refuse(request, "role wall may not do this", 403)
    return principal


mark(require_bearer, Policy(roles=frozenset(Role)))


def public() -> None:
    """Declares a route open without credentials (health, sign-in)."""


mark(public, Policy(public=True))


def self_authenticated() -> None:
    """Declares a route that checks its callers itself (cameras: IP allowlist, basic or
    digest auth); the guard lets every caller reach it."""


mark(self_authenticated, Policy(self_authenticated=True))


async def audit_request(
    request: Request,
    action: str,
    *,
    target: str = "",
    outcome: str = "ok",
    detail: Mapping[str, Any] | None = None,
    actor: Principal | str | None = None,
    via: str | None = None,
) -> str:
    """Audit something the caller of this request did (who, when, from where, what)."""
    auth = _caller(request)
    fields = audit_fields(
        action,
        actor=actor or (auth.principal if auth else "anonymous"),
        target=target,
        remote=client_ip(request.scope),
        outcome=outcome,
        detail=detail,
        via=via if via is not None else (auth.via if auth else ""),
    )
    rt = runtime(request)
    return await audit_async(rt.aclient, rt.keys, fields)


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
