"""The briefing as an A4 PDF, printed by headless Chromium (Playwright drives the system's
Chromium: ``executable_path``, no browser download).

Why Chromium: it lays out the very HTML file the briefing is (one layout for screen, file and
paper), embeds subsets of the fonts it uses (Noto Sans CJK from ``fonts-noto-cjk``) and keeps
the inline SVG charts and map as vector graphics, so they stay sharp at any zoom. The page is
loaded from a string in an offline browser context: nothing is fetched, whatever the HTML says.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from dashboard.briefing.render import footer_html

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


class PdfError(RuntimeError):
    """The PDF could not be printed (no Chromium, or it failed); the message says why."""


def chromium_path(configured: Path | None = None) -> str:
    if configured is not None:
        if not configured.is_file():
            raise PdfError(f"briefing.chromium: {configured} does not exist")
        return str(configured)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise PdfError("no Chromium on PATH to print the PDF (apt-get install chromium)")


def html_to_pdf(html: str, lang: str, chromium: str) -> bytes:
    """Print the HTML to an A4 PDF with page numbers."""
    from playwright.sync_api import Error, sync_playwright  # noqa: PLC0415 - heavy, optional

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                context = browser.new_context(offline=True, java_script_enabled=False)
                page = context.new_page()
                page.route("**/*", lambda route: route.abort())
                page.set_content(html, wait_until="load")
                pdf: bytes = page.pdf(
                    format="A4",
                    print_background=True,
                    display_header_footer=True,
                    header_template="<span></span>",
                    footer_template=footer_html(lang),
                    margin={"top": "12mm", "bottom": "14mm", "left": "11mm", "right": "11mm"},
                )
                return pdf
            finally:
                browser.close()
    except Error as exc:
        raise PdfError(f"Chromium could not print the briefing: {exc}") from None
