"""Rendering a briefing: one self-contained HTML document (inline CSS, inline SVG, no script,
no external reference) for the page, the download and the PDF alike.

``render_html(briefing, lang, page=False)`` is the file (what ``gridwall briefing`` writes,
what ``/briefing/<day>.html`` downloads and what Chromium prints); ``page=True`` adds the
navigation bar of the web page (hidden in print).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from dashboard.briefing.charts import BLUE, GREEN, bar_chart, line_chart
from dashboard.briefing.model import Briefing
from dashboard.briefing.narrative import Fig, Ref, narrative
from dashboard.briefing.svgmap import FONT
from dashboard.briefing.tables import build_tables
from dashboard.briefing.texts import Format

ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _sentence_html(sentence: list[Any]) -> Markup:
    parts = []
    for segment in sentence:
        if isinstance(segment, Fig):
            parts.append(
                Markup('<span class="fig" data-ref="{}" data-cell="{}:{}">{}</span>').format(
                    segment.table, segment.row, segment.column, segment.text
                )
            )
        elif isinstance(segment, Ref):
            parts.append(
                Markup('<a class="ref" href="#{}">{}</a>').format(segment.table, segment.text)
            )
        else:
            parts.append(Markup.escape(segment))
    return Markup("").join(parts)


def render_html(briefing: Briefing, lang: str = "zh-CN", *, page: bool = False) -> str:
    f = Format(lang)
    tables = build_tables(briefing, f)
    sentences = [_sentence_html(s) for s in narrative(briefing, tables, f)]
    trend = line_chart(
        [f"{d.day.month}-{d.day.day}" for d in briefing.trend],
        [
            (f.t["kpi.received"], [d.received for d in briefing.trend], BLUE),
            (f.t["kpi.closures"], [d.closures for d in briefing.trend], GREEN),
        ],
        width=340,
        height=170,
    )
    categories = bar_chart(
        [(c.name or f.t["other"], c.day, c.week_avg) for c in briefing.categories],
        (f.day(briefing.day), f.t["c.week_avg"]),
    )
    template = ENV.get_template("briefing.html")
    return template.render(
        b=briefing,
        f=f,
        t=f.t,
        lang=f.lang,
        tables=tables,
        sentences=sentences,
        # SVG built by charts.py and svgmap.py, every text in it escaped there
        trend_svg=Markup(trend),  # noqa: S704
        categories_svg=Markup(categories),  # noqa: S704
        map_svg=Markup(briefing.map_svg),  # noqa: S704
        font=FONT,
        page=page,
    )


def footer_html(lang: str) -> str:
    """Chromium's footer template of the PDF (page numbers)."""
    t = Format(lang).t
    text = t["page"].format(page='<span class="pageNumber"></span>',
                            pages='<span class="totalPages"></span>')  # fmt: skip
    return (
        f'<div style="font-family:{FONT};font-size:8px;color:#64748b;width:100%;'
        f'padding:0 12mm;display:flex;justify-content:space-between">'
        f"<span>{t['footer']}</span><span>{text}</span></div>"
    )
