"""The guard: one ASGI middleware in front of every route of the server.

For every request and websocket it

* refuses bodies over ``http.max_request_bytes`` (413) before any route reads them;
* finds the caller: a bearer token (scripts, feeds), else the signed session cookie (people,
  walls); a wall's kiosk link ``/wall/<name>?token=...`` becomes a kiosk session and is
  redirected to the same address without the token, so it stays out of history and logs;
* refuses unauthenticated callers unless the path is declared public (browsers are sent to
  the sign-in page), and applies the declared policy of routes that run no dependency
  (mounts); FastAPI routes are checked by ``gridwall.web.policy.enforce_policy``;
* checks CSRF for writes made with a cookie: the session's token in the ``X-CSRF-Token``
  header (Dash sends it from the ``gw_csrf`` cookie) or the ``csrf_token`` form field, and a
  same-origin ``Origin``; bearer-token calls are exempt (a browser cannot forge the header);
* adds the security headers (CSP, frame-ancestors, nosniff, referrer policy; HSTS in
  production);
* publishes the caller in ``current_auth`` for the route and the Dash callbacks.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from fastapi import FastAPI
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gridwall.access.audit import AuditAction, audit_async, audit_fields
from gridwall.access.roles import Principal, Role, hash_token, parse_token_record
from gridwall.access.sessions import (
    CSRF_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    Session,
    SessionStore,
)
from gridwall.runtime import Runtime
from gridwall.web.policy import (
    AUTH_STATE,
    UNSAFE_METHODS,
    Auth,
    PathRules,
    PolicyRegistry,
    client_ip,
    current_auth,
    path_rules,
    refusal,
)

LOGIN_PATH = "/login"
KIOSK_PREFIX = "/wall"
FORM_TYPE = "application/x-www-form-urlencoded"


class _Invalid(Exception):
    """Credentials were presented but are not valid."""


def set_session_cookies(response: Response, cookie: str, session: Session, secure: bool) -> None:
    """The HttpOnly session cookie and the CSRF cookie the page's scripts echo."""
    response.set_cookie(
        SESSION_COOKIE, cookie, httponly=True, samesite="strict", secure=secure, path="/"
    )
    response.set_cookie(
        CSRF_COOKIE, session.csrf, httponly=False, samesite="strict", secure=secure, path="/"
    )


class Guard:
    def __init__(
        self,
        app: ASGIApp,
        *,
        fastapi_app: FastAPI,
        rt: Runtime,
        sessions: SessionStore,
        registry: PolicyRegistry,
        csp: Callable[[], str],
    ) -> None:
        self.app = app
        self.fastapi_app = fastapi_app
        self.rt = rt
        self.sessions = sessions
        self.registry = registry
        self.csp = csp
        self._rules: PathRules | None = None
        self.limit = rt.settings.http.max_request_bytes
        self.secure = rt.settings.http.production

    def rules(self) -> PathRules:
        if self._rules is None:  # built on first use: Dash adds routes at startup
            self._rules = path_rules(self.fastapi_app, self.registry)
        return self._rules

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, self._with_headers(send))
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    # -- http ----------------------------------------------------------------------------
    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        conn = HTTPConnection(scope)
        method = scope["method"]
        declared = conn.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            await _json(413, f"request body larger than {self.limit} bytes")(scope, receive, send)
            return
        try:
            auth = await self._authenticate(conn, cookies=True)
        except _Invalid as exc:
            await _json(401, str(exc), bearer=True)(scope, receive, send)
            return
        if (
            method == "GET"
            and "token" in conn.query_params
            and conn.url.path.startswith(KIOSK_PREFIX)
        ):
            await (await self._kiosk(conn))(scope, receive, send)
            return
        refused = self._refusal(conn, auth, method)
        if refused is not None:
            await refused(scope, receive, send)
            return
        if (
            method in UNSAFE_METHODS
            and (auth is None or auth.via == "session")
            and not self._device(conn, method)
        ):
            body, problem = await self._csrf(conn, receive, auth)
            if problem is not None:
                await _json(403, problem)(scope, receive, send)
                return
            receive = _replay(body, receive) if body is not None else receive
        receive = _limited(receive, self.limit)
        await self._call(scope, receive, send, auth)

    async def _call(self, scope: Scope, receive: Receive, send: Send, auth: Auth | None) -> None:
        scope[AUTH_STATE] = auth
        token = current_auth.set(auth)
        try:
            await self.app(scope, receive, send)
        finally:
            current_auth.reset(token)

    def _device(self, conn: HTTPConnection, method: str) -> bool:
        """A route that authenticates its callers itself (camera hooks): devices hold no
        session, so there is no session to forge a request for (no CSRF check)."""
        rule = self.rules().find(conn.url.path, method)
        return rule is not None and rule.policy is not None and rule.policy.self_authenticated

    def _refusal(self, conn: HTTPConnection, auth: Auth | None, method: str) -> Response | None:
        rule = self.rules().find(conn.url.path, method)
        if rule is not None and rule.policy is not None and rule.policy.open:
            return None
        if rule is not None:  # a route without dependencies: its declared policy applies here
            reason, code = refusal(rule.policy, auth, conn, method)
        elif auth is None:
            reason, code = "sign in or send a valid bearer token", 401
        else:
            return None  # a FastAPI route: enforce_policy decides
        if reason is None:
            return None
        if code == 401 and method == "GET" and "text/html" in conn.headers.get("accept", ""):
            target = conn.url.path + (f"?{conn.url.query}" if conn.url.query else "")
            return RedirectResponse(f"{LOGIN_PATH}?next={quote(target, safe='')}", 303)
        return _json(code, reason, bearer=code == 401)

    async def _authenticate(self, conn: HTTPConnection, cookies: bool) -> Auth | None:
        header = conn.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            principal = await self._token_principal(value.strip())
            if principal is None:
                raise _Invalid("the bearer token is not valid")
            return Auth(principal=principal, via="bearer")
        cookie = conn.cookies.get(SESSION_COOKIE) if cookies else None
        if cookie:
            session = await self.sessions.load(cookie)
            if session is not None:
                return Auth(
                    principal=session.principal, via="session", session=session, cookie=cookie
                )
        return None

    async def _token_principal(self, token: str) -> Principal | None:
        digest = hash_token(token)
        raw = await self.rt.aclient.hget(self.rt.keys.api_tokens, digest)
        record = parse_token_record(digest, raw)
        return None if record is None else record.principal

    async def _kiosk(self, conn: HTTPConnection) -> Response:
        """A kiosk link: a wall token (or the demo token) becomes a wall session."""
        token = conn.query_params["token"]
        principal = await self._token_principal(token)
        demo = self.rt.settings.demo_token
        is_demo = demo is not None and hmac.compare_digest(
            token.encode(), demo.get_secret_value().encode()
        )
        if principal is None or not (principal.role is Role.WALL or is_demo):
            return _json(401, "this link does not hold a valid wall token")
        if principal.role is not Role.WALL:  # the demo token opens every wall, read-only
            principal = Principal(name=principal.name, role=Role.WALL)
        cookie, session = await self.sessions.create(principal, kiosk=hash_token(token))
        fields = audit_fields(
            AuditAction.KIOSK_OPENED,
            actor=principal,
            target=conn.url.path,
            remote=client_ip(conn.scope),
            via="kiosk-link",
        )
        await audit_async(self.rt.aclient, self.rt.keys, fields)
        query = urlencode([(k, v) for k, v in conn.query_params.multi_items() if k != "token"])
        response = RedirectResponse(conn.url.path + (f"?{query}" if query else ""), 303)
        set_session_cookies(response, cookie, session, self.secure)
        return response

    async def _csrf(
        self, conn: HTTPConnection, receive: Receive, auth: Auth | None
    ) -> tuple[bytes | None, str | None]:
        """(the body if it had to be read, the problem or None)."""
        if _foreign(conn):
            return None, "cross-origin write refused"
        expected = auth.session.csrf if auth and auth.session else conn.cookies.get(CSRF_COOKIE)
        sent = conn.headers.get(CSRF_HEADER)
        body: bytes | None = None
        if sent is None and conn.headers.get("content-type", "").startswith(FORM_TYPE):
            body = await _read_all(receive, self.limit)
            if body is None:
                return None, f"request body larger than {self.limit} bytes"
            sent = dict(parse_qsl(body.decode("utf-8", "replace"))).get(CSRF_FIELD)
        if not expected or not sent or not hmac.compare_digest(sent, expected):
            return body, "CSRF token missing or wrong: reload the page"
        return body, None

    def _with_headers(self, send: Send) -> Send:
        csp = self.csp()
        production = self.secure

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in security_headers(csp, production):
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                if b"cache-control" not in present and _is_document(headers):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        return wrapped

    # -- websockets ----------------------------------------------------------------------
    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        conn = HTTPConnection(scope)
        if _foreign(conn):
            await send({"type": "websocket.close", "code": 4403, "reason": "origin not allowed"})
            return
        try:
            auth = await self._authenticate(conn, cookies=True)
        except _Invalid:
            auth = None
        rule = self.rules().find(conn.url.path, "WEBSOCKET")
        reason: str | None = None
        if rule is not None and not (rule.policy is not None and rule.policy.open):
            reason, _code = refusal(rule.policy, auth, conn, "GET")
        elif rule is None and auth is None:
            reason = "sign in or send a valid bearer token"
        if reason is not None:
            await send({"type": "websocket.close", "code": 4401, "reason": reason})
            return
        await self._call(scope, receive, send, auth)


def _foreign(conn: HTTPConnection) -> bool:
    """An ``Origin`` of another site (``null``, sent by privacy settings, proves nothing either
    way: the CSRF token decides)."""
    origin = conn.headers.get("origin")
    if not origin or origin == "null":
        return False
    return urlsplit(origin).netloc != conn.headers.get("host", "")


def security_headers(csp: str, production: bool) -> list[tuple[str, str]]:
    headers = [
        ("content-security-policy", csp),
        ("x-content-type-options", "nosniff"),
        # No address (with its query) leaves for another site; same-origin writes keep their
        # Origin header (no-referrer would turn it into "null").
        ("referrer-policy", "same-origin"),
        ("cross-origin-opener-policy", "same-origin"),
        ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()"),
    ]
    if "frame-ancestors 'none'" in csp:
        headers.append(("x-frame-options", "DENY"))
    elif "frame-ancestors 'self'" in csp:
        headers.append(("x-frame-options", "SAMEORIGIN"))
    if production:
        headers.append(("strict-transport-security", "max-age=31536000"))
    return headers


def _is_document(headers: list[tuple[bytes, bytes]]) -> bool:
    kind = next((v for k, v in headers if k.lower() == b"content-type"), b"")
    return kind.startswith((b"application/json", b"text/html", b"application/x-ndjson"))


def _json(code: int, detail: str, bearer: bool = False) -> Response:
    headers = {"WWW-Authenticate": 'Bearer realm="gridwall"'} if bearer else None
    return JSONResponse({"detail": detail}, status_code=code, headers=headers)


async def _read_all(receive: Receive, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class BodyLimitExceeded(Exception):
    pass


def _limited(receive: Receive, limit: int) -> Receive:
    """Count the body as it is read; more than ``limit`` ends the request (413 via handler)."""
    size = 0

    async def limited() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > limit:
                raise BodyLimitExceeded(f"request body larger than {limit} bytes")
        return message

    return limited


async def body_limit_handler(request: Any, exc: Exception) -> Response:
    return _json(413, str(exc))


def content_security_policy(
    script_hashes: list[str], frame_ancestors: str, img_sources: list[str]
) -> str:
    """A CSP that fits Dash: scripts only from the server and the page's hashed inline
    scripts; inline styles allowed (React and Plotly set them); no plugins, no framing."""
    directives: dict[str, list[str]] = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *img_sources],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": [frame_ancestors],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())
