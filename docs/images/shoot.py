"""Refresh the README's screenshots of the real wall from a running demo.

    GRIDWALL_DEMO_TOKEN=x gridwall demo --no-browser &   # let it run a few minutes first
    .venv/bin/python docs/images/shoot.py --base http://127.0.0.1:8050 --token x

Writes wall-desk.png, wall-single-4k.png (4K drawn at half scale), wall-county-3x2.png (the
six screens as they hang, at half scale) and wall-county-3x2-2.png (its map screen) next to
this file.
"""

from __future__ import annotations

import argparse
import base64
import shutil
import tempfile
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

HERE = Path(__file__).parent


def shoot(browser: Browser, url: str, out: Path, size: tuple[int, int], scale: float) -> None:
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, device_scale_factor=scale
    )
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("() => window.gridwall && window.gridwall.filled()", timeout=60_000)
    page.wait_for_timeout(3_000)  # a push or two, and the map's markers
    page.screenshot(path=str(out))
    context.close()


def composite(browser: Browser, parts: list[Path], out: Path) -> None:
    """Six 1920×1080 screens as the 3×2 wall, at half scale."""
    images = "".join(
        f'<img src="data:image/png;base64,{base64.b64encode(p.read_bytes()).decode()}">'
        for p in parts
    )
    page = browser.new_page(viewport={"width": 2880, "height": 1080})
    page.set_content(
        "<style>body{margin:0;background:#000;display:grid;"
        "grid-template-columns:repeat(3,960px);gap:0}img{width:960px;height:540px}</style>" + images
    )
    page.wait_for_timeout(500)
    page.screenshot(path=str(out))
    page.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8050")
    parser.add_argument("--token", required=True, help="a kiosk token for every layout")
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"],
        )  # a kiosk
        token = f"?token={args.token}"
        shoot(browser, f"{args.base}/wall/desk{token}", HERE / "wall-desk.png", (1920, 1080), 1)
        shoot(browser, f"{args.base}/wall/single-4k{token}", HERE / "wall-single-4k.png",
              (3840, 2160), 0.5)  # fmt: skip
        with tempfile.TemporaryDirectory() as tmp:
            parts = []
            for n in range(1, 7):
                part = Path(tmp) / f"wall-county-3x2-{n}.png"
                url = f"{args.base}/wall/county-3x2/screen/{n}{token}"
                shoot(browser, url, part, (1920, 1080), 1)
                parts.append(part)
            composite(browser, parts, HERE / "wall-county-3x2.png")
            shutil.copy(parts[1], HERE / "wall-county-3x2-2.png")
        browser.close()


if __name__ == "__main__":
    main()
