"""Sign-in and sign-out for people (``/login``, ``/logout``) and the landing pages.

A successful sign-in starts a session (``gridwall.access.sessions``) in a signed, HttpOnly,
SameSite=Strict cookie; failures count towards the lockout (``gridwall.access.users``). Both are
audited.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from dashboard.pages.briefing import BRIEFING_ROLES
from dashboard.pages.render import render
from gridwall.access.audit import AuditAction
from gridwall.access.roles import PASSWORD_ROLES, PEOPLE, Principal, Role
from gridwall.access.sessions import CSRF_COOKIE, SESSION_COOKIE, SessionStore
from gridwall.access.users import LoginOutcome, UserStore
from gridwall.web.deps import audit_request, public, require_roles, runtime
from gridwall.web.guard import set_session_cookies
from gridwall.web.policy import get_auth
from layouts import layout_files

router = APIRouter(tags=["sign-in"])

#: Roles that may open a wall (department users see their own cases only, not the county's).
WALL_ROLES = (Role.WALL, Role.OPERATOR, Role.LEADER, Role.ADMIN)
ANY_PERSON = require_roles(*PEOPLE)
SIGNED_IN_PERSON = require_roles(*PASSWORD_ROLES)


def safe_next(target: str | None) -> str:
    """Only a path of this server: never another site (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _sessions(request: Request) -> SessionStore:
    store: SessionStore = request.app.state.sessions
    return store


def _users(request: Request) -> UserStore:
    store: UserStore = request.app.state.users
    return store


@router.get("/login", dependencies=[Depends(public)], include_in_schema=False)
async def login_page(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", next=safe_next(next), username="", error=None)


@router.post("/login", dependencies=[Depends(public)], include_in_schema=False)
async def login(
    request: Request,
    username: str = Form(max_length=64),
    password: str = Form(max_length=256),
    next: str = Form("/", max_length=2000),
    lang: str | None = Form(None, max_length=8),
) -> Response:
    result = await run_in_threadpool(_users(request).authenticate, username, password)
    principal = result.principal
    if result.outcome is not LoginOutcome.OK or principal is None:
        await audit_request(
            request,
            AuditAction.LOGIN_FAILED,
            actor=username.strip().lower()[:64] or "(empty)",
            outcome=result.outcome.value,
            via="password",
        )
        return render(
            request,
            "login.html",
            status=401 if result.outcome is LoginOutcome.BAD_CREDENTIALS else 403,
            lang=lang,
            next=safe_next(next),
            username=username,
            error=result.outcome.value.replace("-", "_"),
        )
    cookie, session = await _sessions(request).create(principal)
    await audit_request(request, AuditAction.LOGIN, actor=principal, via="password")
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookies(response, cookie, session, runtime(request).settings.http.production)
    return response


@router.post("/logout", dependencies=[Depends(public)], include_in_schema=False)
async def logout(request: Request) -> Response:
    auth = get_auth(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        await _sessions(request).end(cookie)
    if auth is not None:
        await audit_request(request, AuditAction.LOGOUT)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/favicon.ico", dependencies=[Depends(public)], include_in_schema=False)
async def favicon() -> Response:
    """Browsers ask for it on every page: the wall's icon, or nothing (never a 401)."""
    return RedirectResponse("/wall/_favicon.ico", status_code=301)


def landing(principal: Principal, default_layout: str) -> str:
    """Where a principal goes from ``/``: its wall, the default wall, or its home page."""
    if principal.role is Role.WALL:
        return f"/wall/{principal.layout or default_layout}"
    if principal.role in WALL_ROLES:
        return f"/wall/{default_layout}"
    return "/home"


@router.get("/", include_in_schema=False)
async def root(request: Request, principal: Principal = Depends(ANY_PERSON)) -> Response:
    return RedirectResponse(landing(principal, runtime(request).settings.wall.default_layout))


@router.get("/home", include_in_schema=False)
async def home(request: Request, principal: Principal = Depends(SIGNED_IN_PERSON)) -> Response:
    settings = runtime(request).settings.wall
    walls = list(layout_files(settings.layouts_dir)) if principal.role in WALL_ROLES else []
    return render(
        request, "home.html", walls=walls, can_read=True, briefings=principal.role in BRIEFING_ROLES
    )
