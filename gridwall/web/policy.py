"""Access policies of routes: declared once per route, enforced for every request.

A route declares who may call it in ONE place:

* routes gridwall writes take a dependency: ``Depends(require_roles(Role.OPERATOR, ...))``,
  ``Depends(public)`` or ``Depends(self_authenticated)`` (``gridwall.web.deps``), on the route or
  on its router (all of a router's routes then share it);
* routes made by libraries (Dash's endpoints, static mounts, the OpenAPI document) are declared
  by path in the app's ``PolicyRegistry`` by the module that creates them.

``enforce_policy`` is an app-wide dependency (every FastAPI route and websocket runs it first):
a route without a declared policy is refused to everyone, so a route added without thinking
about access is closed, and ``tests/test_access_matrix.py`` names it. Unauthenticated requests
are refused before routing by ``gridwall.web.guard`` unless the path is declared public.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, HTTPException, WebSocketException, status
from starlette.requests import HTTPConnection
from starlette.routing import BaseRoute, Mount, compile_path

from gridwall.access.roles import PEOPLE, READ_ONLY, Principal, Role
from gridwall.access.sessions import Session

log = logging.getLogger(__name__)

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
POLICY_ATTR = "__gridwall_policy__"

#: An extra check of a route: returns the reason to refuse, or None.
Check = Callable[[Principal, HTTPConnection], str | None]


@dataclass(frozen=True)
class Policy:
    """Who may call a route."""

    roles: frozenset[Role] = frozenset()
    #: Open without credentials (health, sign-in, static assets).
    public: bool = False
    #: The route checks its callers' credentials itself (cameras: IP allowlist, digest ...).
    self_authenticated: bool = False
    #: Whether unsafe methods change something (Dash's callback POST only renders).
    writes: bool = True
    #: Department users reach only their own cases (the route checks each case).
    scoped: bool = False
    check: Check | None = field(default=None, compare=False)

    @property
    def open(self) -> bool:
        return self.public or self.self_authenticated

    def allows(self, role: Role, method: str = "GET") -> bool:
        if self.open:
            return True
        if role in READ_ONLY and self.writes and method.upper() in UNSAFE_METHODS:
            return False
        return role in self.roles

    def combine(self, other: Policy) -> Policy:
        """Both must pass (a router's policy and a route's own)."""
        if self.open:
            return other
        if other.open:
            return self
        return Policy(
            roles=self.roles & other.roles,
            writes=self.writes and other.writes,
            scoped=self.scoped or other.scoped,
            check=self.check or other.check,
        )


def people(*, exclude: Iterable[Role] = ()) -> frozenset[Role]:
    return PEOPLE - frozenset(exclude)


def mark(dependency: Any, policy: Policy) -> Any:
    """Attach ``policy`` to a dependency callable (what ``require_roles`` returns)."""
    setattr(dependency, POLICY_ATTR, policy)
    return dependency


# -- who is calling ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Auth:
    """The authenticated caller of one request or websocket."""

    principal: Principal
    via: str  # "bearer" or "session"
    session: Session | None = None
    cookie: str | None = None


#: The caller of the current request; set by ``gridwall.web.guard`` and inherited by the Dash
#: callbacks (HTTP and websocket) that run for it.
current_auth: ContextVar[Auth | None] = ContextVar("gridwall_auth", default=None)

AUTH_STATE = "gw_auth"


def get_auth(conn: HTTPConnection) -> Auth | None:
    found = conn.scope.get(AUTH_STATE)
    return found if isinstance(found, Auth) else None


# -- declared policies -------------------------------------------------------------------------


class PolicyRegistry:
    """Policies of routes that carry no dependency of ours, by path."""

    def __init__(self) -> None:
        self._paths: dict[str, Policy] = {}
        self._cache: dict[int, Policy | None] = {}

    def declare(self, path: str, policy: Policy) -> None:
        self._paths[path] = policy
        self._cache.clear()

    def declared(self, path: str) -> Policy | None:
        return self._paths.get(path)

    def for_route(self, route: Any) -> Policy | None:
        key = id(route)
        if key not in self._cache:
            self._cache[key] = route_policy(route, self)
        return self._cache[key]


def _marked(dependant: Any) -> Iterator[Policy]:
    for dep in getattr(dependant, "dependencies", []):
        found = getattr(dep.call, POLICY_ATTR, None)
        if isinstance(found, Policy):
            yield found
        yield from _marked(dep)


def route_policy(route: Any, registry: PolicyRegistry) -> Policy | None:
    """The effective policy of a route: its dependencies' policies combined, or the one
    declared for its path; None when there is none."""
    found: Policy | None = None
    for policy in _marked(getattr(route, "dependant", None)):
        found = policy if found is None else found.combine(policy)
    if found is None:
        found = registry.declared(str(getattr(route, "path", "")))
    return found


async def enforce_policy(conn: HTTPConnection) -> None:
    """App-wide dependency: refuse what the route's policy does not admit."""
    route = conn.scope.get("route")
    registry: PolicyRegistry = conn.app.state.policies
    policy = registry.for_route(route)
    method = conn.scope.get("method", "GET")
    reason, code = refusal(policy, get_auth(conn), conn, method)
    if reason is None:
        return
    if policy is None:
        log.warning("refused %s %s: no access policy declared", method, conn.url.path)
    if conn.scope["type"] == "websocket":
        raise WebSocketException(code=4401 if code == 401 else 4403, reason=reason)
    headers = {"WWW-Authenticate": 'Bearer realm="gridwall"'} if code == 401 else None
    raise HTTPException(code, detail=reason, headers=headers)


def refusal(
    policy: Policy | None, auth: Auth | None, conn: HTTPConnection, method: str
) -> tuple[str | None, int]:
    """Why a caller may not use a route (None: it may), with the HTTP status."""
    if policy is None:
        return "no access policy is declared for this route", status.HTTP_403_FORBIDDEN
    if policy.open:
        return None, 200
    if auth is None:
        return "sign in or send a valid bearer token", status.HTTP_401_UNAUTHORIZED
    role = auth.principal.role
    if not policy.allows(role, method):
        return f"role {role.value} may not do this", status.HTTP_403_FORBIDDEN
    if policy.check is not None:
        reason = policy.check(auth.principal, conn)
        if reason:
            return reason, status.HTTP_403_FORBIDDEN
    return None, 200


# -- the routes of an app ----------------------------------------------------------------------


@dataclass(frozen=True)
class RouteInfo:
    path: str
    methods: frozenset[str]  # empty for mounts; {"WEBSOCKET"} for websockets
    route: Any
    mount: bool = False


def iter_routes(app: FastAPI) -> Iterator[RouteInfo]:
    """Every route of an app with its full path (routers included, flattened)."""
    try:
        from fastapi.routing import iter_route_contexts  # noqa: PLC0415 - FastAPI >= 0.160
    except ImportError:  # pragma: no cover - older FastAPI flattens app.routes itself
        contexts: Iterable[Any] = app.routes
    else:
        contexts = iter_route_contexts(app.routes)
    for context in contexts:
        route: BaseRoute = getattr(context, "original_route", context)
        path = str(getattr(context, "path", None) or getattr(route, "path", ""))
        if isinstance(route, Mount):
            yield RouteInfo(path=path, methods=frozenset(), route=context, mount=True)
            continue
        methods = getattr(context, "methods", None)
        kind = frozenset({"WEBSOCKET"}) if methods is None else frozenset(methods) - {"HEAD"}
        yield RouteInfo(path=path, methods=kind, route=context)


@dataclass(frozen=True)
class PathRule:
    regex: re.Pattern[str] | None  # None: a mount, matched by prefix
    prefix: str
    methods: frozenset[str]
    policy: Policy | None

    def matches(self, path: str, method: str) -> bool:
        if self.regex is None:
            return path == self.prefix or path.startswith(self.prefix + "/")
        method = "GET" if method == "HEAD" else method
        return bool(self.regex.match(path)) and method in self.methods


@dataclass(frozen=True)
class PathRules:
    """What the guard checks before routing: the open paths, and the routes that run no
    dependency of ours (mounts, plain Starlette routes) with their declared policies."""

    rules: tuple[PathRule, ...]

    def find(self, path: str, method: str) -> PathRule | None:
        return next((r for r in self.rules if r.matches(path, method)), None)


def path_rules(app: FastAPI, registry: PolicyRegistry) -> PathRules:
    rules: list[PathRule] = []
    for info in iter_routes(app):
        policy = route_policy(info.route, registry)
        runs_dependencies = getattr(info.route, "dependant", None) is not None
        if runs_dependencies and (policy is None or not policy.open):
            continue  # enforce_policy decides inside the route
        if info.mount:
            rules.append(PathRule(None, info.path.rstrip("/"), frozenset(), policy))
        else:
            regex, _format, _convertors = compile_path(info.path)
            rules.append(PathRule(regex, info.path, info.methods, policy))
    return PathRules(rules=tuple(rules))


def client_ip(scope: Mapping[str, Any]) -> str:
    """The address of the peer of an ASGI request (``""`` when the server gives none): the
    one reading of the caller's address (sources' allowed networks, rate limits, audit)."""
    client = scope.get("client")
    return str(client[0]) if client else ""
