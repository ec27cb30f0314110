"""The daily briefing for people: ``/briefing`` (the list), ``/briefing/<day>`` (the page),
``/briefing/<day>.html`` and ``/briefing/<day>.pdf`` (the very files the worker keeps).

Leaders, operators and admins read briefings; department users do not (the briefing ranks
every department and lists every department's worst cases), walls and feeds neither. A day
the worker has not generated (yet) is generated on demand from the history and kept. Downloads
are audited (``export``).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from dashboard.briefing.generate import Generator, NoHistory, yesterday
from dashboard.briefing.pdf import PdfError
from dashboard.briefing.render import render_html
from dashboard.pages.render import language, render
from gridwall.access.audit import AuditAction
from gridwall.access.roles import Role
from gridwall.web.deps import audit_request, require_roles, runtime

router = APIRouter(tags=["pages"])

#: Who reads briefings (docs/access-control.md).
BRIEFING_ROLES = (Role.OPERATOR, Role.LEADER, Role.ADMIN)
READ_BRIEFING = require_roles(*BRIEFING_ROLES)
MEDIA = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def _generator(request: Request) -> Generator:
    rt = runtime(request)
    return Generator(rt.settings, rt.registry.get, rt.client)


def _day(request: Request, text: str) -> date:
    """A past day, or 404 (a briefing is of a day that has ended)."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise HTTPException(404, detail=f"not a day: {text!r} (YYYY-MM-DD)") from None
    if day >= datetime.now(runtime(request).tz).date():
        raise HTTPException(404, detail=f"{day} has not ended yet")
    return day


def _ensure(generator: Generator, day: date, kind: str) -> Path:
    """The stored file of the day, generated (and kept) when missing."""
    store = generator.store
    found = store.file(day, kind)
    if found is not None:
        return found
    html = store.file(day, "html")
    if html is None or store.load(day) is None:
        generator.generate(day, ("html",))
        html = store.file(day, "html")
    assert html is not None
    if kind == "html":
        return html
    return store.save_file(day, kind, generator.pdf(html.read_text("utf-8"), _lang(generator)))


def _lang(generator: Generator) -> str:
    return generator.settings.briefing.language


async def _file(request: Request, day: date, kind: str) -> Path:
    generator = _generator(request)
    try:
        return await run_in_threadpool(_ensure, generator, day, kind)
    except NoHistory:
        raise HTTPException(404, detail=f"no history for {day} yet") from None
    except PdfError as exc:
        raise HTTPException(503, detail=str(exc)) from None


@router.get("/briefing", include_in_schema=False)
async def briefing_list(
    request: Request,
    day: str | None = Query(None, max_length=10),
    _principal: object = Depends(READ_BRIEFING),
) -> Response:
    if day:
        return RedirectResponse(f"/briefing/{_day(request, day).isoformat()}", status_code=303)
    generator = _generator(request)
    entries = await run_in_threadpool(generator.store.entries)
    last = yesterday(runtime(request).tz)
    return render(request, "briefings.html", entries=entries, last=last)


@router.get("/briefing/{day}.html", include_in_schema=False)
async def briefing_html(
    day: str, request: Request, _principal: object = Depends(READ_BRIEFING)
) -> Response:
    return await _download(request, day, "html")


@router.get("/briefing/{day}.pdf", include_in_schema=False)
async def briefing_pdf(
    day: str, request: Request, _principal: object = Depends(READ_BRIEFING)
) -> Response:
    return await _download(request, day, "pdf")


async def _download(request: Request, text: str, kind: str) -> Response:
    day = _day(request, text)
    path = await _file(request, day, kind)
    await audit_request(
        request, AuditAction.EXPORT, target=f"briefing:{day.isoformat()}", detail={"format": kind}
    )
    return FileResponse(
        path,
        media_type=MEDIA[kind],
        filename=f"gridwall-briefing-{day.isoformat()}.{kind}",
        headers={"Cache-Control": "no-store"},
    )


@router.get("/briefing/{day}", include_in_schema=False)
async def briefing_page(
    day: str, request: Request, _principal: object = Depends(READ_BRIEFING)
) -> Response:
    target = _day(request, day)
    generator = _generator(request)
    briefing = generator.store.load(target)
    if briefing is None:
        await _file(request, target, "html")
        briefing = generator.store.load(target)
    assert briefing is not None
    html = render_html(briefing, language(request), page=True)
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})
