"""Rendering of the people's pages (Jinja2, autoescaped; no inline scripts, so the CSP holds)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from dashboard.pages.texts import PAGE_TEXTS
from gridwall.access.sessions import CSRF_COOKIE
from gridwall.web.deps import runtime
from gridwall.web.policy import client_ip, get_auth

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def language(request: Request, chosen: str | None = None) -> str:
    lang = chosen or request.query_params.get("lang") or runtime(request).settings.wall.language
    return lang if lang in PAGE_TEXTS else "zh-CN"


def csrf_token(request: Request) -> tuple[str, bool]:
    """The token forms must send back, and whether it must be set as a new cookie."""
    auth = get_auth(request)
    if auth is not None and auth.session is not None:
        return auth.session.csrf, False
    existing = request.cookies.get(CSRF_COOKIE)
    return (existing, False) if existing else (secrets.token_urlsafe(24), True)


def render(
    request: Request, template: str, *, status: int = 200, lang: str | None = None, **context: Any
) -> HTMLResponse:
    chosen = language(request, lang)
    texts = PAGE_TEXTS[chosen]
    token, new_cookie = csrf_token(request)
    auth = get_auth(request)
    response = TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "t": texts,
            "lang": chosen,
            "other_lang": "en" if chosen == "zh-CN" else "zh-CN",
            "csrf": token,
            "principal": auth.principal if auth else None,
            "remote": client_ip(request.scope),
            **context,
        },
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )
    if new_cookie:
        response.set_cookie(
            CSRF_COOKIE,
            token,
            httponly=False,
            samesite="strict",
            secure=runtime(request).settings.http.production,
            path="/",
        )
    return response
