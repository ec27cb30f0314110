"""The files as a reader gets them: the A4 PDF read back with poppler (text, fonts, images,
pages rendered to PNG) and the HTML opened in Chromium with the network off."""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

import pytest

from dashboard.briefing.generate import Generator
from dashboard.briefing.model import Briefing
from tests.browser import chromium
from tests.dashboard.briefing.golden import DAY, NAME
from tests.dashboard.briefing.parse import personal_leaks

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TABLES = ("sources", "closure", "categories", "backlog", "quality", "streets", "overdue",
          "departments", "hotspots", "alarms", "cameras", "trend")  # fmt: skip


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def ink(path: Path) -> float:
    """Share of dark pixels of a binary PGM page."""
    data = path.read_bytes()
    parts = data.split(maxsplit=4)
    assert parts[0] == b"P5"
    pixels = parts[4]
    return sum(1 for v in pixels if v < 128) / len(pixels)


def test_the_pdf_is_a4_with_the_figures_fonts_and_vector_charts(
    generator: Generator, briefing: Briefing, tmp_path: Path, artifacts: Path
) -> None:
    made = generator.generate(DAY, ("html", "pdf"))
    pdf = made.files["pdf"]
    assert pdf.read_bytes() == generator.store.file(DAY, "pdf").read_bytes()  # type: ignore[union-attr]
    info = run("pdfinfo", str(pdf))
    assert "A4" in info
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages")))
    assert 2 <= pages <= 6
    text = run("pdftotext", "-layout", str(pdf), "-")
    flat = " ".join(text.split())
    for expected in (
        "演示区每日简报",
        "简要分析",
        "表1",
        f"{briefing.total.day}",
        f"{briefing.closure.on_time_rate * 100:.1f}%",  # type: ignore[operator]
        f"{briefing.closure.close_rate * 100:.1f}%",  # type: ignore[operator]
        briefing.departments[0].name,
        briefing.hotspots[0].name,
        briefing.overdue[0].id,
        "第1页",
    ):
        assert expected in flat, expected
    assert not personal_leaks(text, (NAME,))
    fonts = run("pdffonts", str(pdf)).splitlines()[2:]
    assert fonts
    assert all(line.split()[-5] == "yes" for line in fonts), fonts  # every font embedded
    images = run("pdfimages", "-list", str(pdf)).splitlines()[2:]
    assert images == []  # charts and map are vector graphics, not pictures
    run("pdftoppm", "-r", "50", "-png", str(pdf), str(artifacts / "briefing-page"))
    run("pdftoppm", "-r", "30", "-gray", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p"))
    first = sorted(artifacts.glob("briefing-page-*.png"))[0]
    width, height = png_size(first)
    assert abs(height / width - 297 / 210) < 0.01
    assert ink(next(tmp_path.glob("p-*.pgm"))) > 0.02


def test_the_html_shows_everything_offline(
    generator: Generator, briefing: Briefing, artifacts: Path
) -> None:
    made = generator.generate(DAY, ("html",))
    path = made.files["html"]
    requests: list[str] = []
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        context.set_offline(True)
        page = context.new_page()
        page.on("request", lambda req: requests.append(req.url))
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        assert page.locator("#summary").is_visible()
        assert "全区受理事件" in page.locator("#summary").inner_text()
        for table in TABLES:
            assert page.locator(f"table#{table}").count() == 1, table
            page.locator(f"table#{table}").scroll_into_view_if_needed()
            assert page.locator(f"table#{table}").is_visible(), table
        assert page.locator("#map svg path").count() > 100
        assert page.locator("#map svg circle").count() == len(briefing.hotspots)
        assert page.locator("#trend-chart svg polyline").count() == 2
        assert page.locator("#category-chart svg rect").count() > len(briefing.categories)
        total = page.locator('#sources td[data-cell="total:day"]').inner_text()
        assert total == str(briefing.total.day)
        page.screenshot(path=str(artifacts / "briefing-offline.png"), full_page=True)
        context.close()
    assert requests == [path.as_uri()]  # the document itself, nothing else
