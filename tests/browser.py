"""Debian's Chromium driven by Playwright (no `playwright install`)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, sync_playwright

CHROMIUM_PATHS = ("chromium", "chromium-browser", "google-chrome")


def chromium_path() -> str:
    for name in CHROMIUM_PATHS:
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError("no Chromium on PATH: `make test` installs Debian's chromium as root")


@contextmanager
def chromium(*args: str) -> Iterator[Browser]:
    """Chromium with extra command-line ``args`` (e.g. a kiosk's autoplay policy)."""
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path(), args=["--no-sandbox", "--disable-gpu", *args]
        )
        try:
            yield browser
        finally:
            browser.close()
