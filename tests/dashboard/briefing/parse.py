"""Reading a rendered briefing back: its tables' cells and its narrative's figures."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")


@dataclass
class Page:
    cells: dict[str, dict[str, str]] = field(default_factory=dict)
    figs: list[tuple[str, str, str]] = field(default_factory=list)
    summary: str = ""
    words: str = ""  # the summary without its figures and table references


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.page = Page()
        self.table: str | None = None
        self.cell: str | None = None
        self.head: str | None = None
        self.text: list[str] = []
        self.in_summary = 0
        self.fig: tuple[str, str] | None = None
        self.ref = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "table" and a.get("id"):
            self.table = a["id"]
            self.page.cells[self.table] = {}
        elif tag == "td" and self.table and "data-cell" in a:
            self.cell, self.text = a["data-cell"], []
        elif tag == "th" and self.table:
            self.head, self.text = a.get("class", "").removeprefix("c-"), []
        elif tag == "div" and a.get("id") == "summary":
            self.in_summary = 1
        elif tag == "div" and self.in_summary:
            self.in_summary += 1
        elif tag == "span" and "fig" in a.get("class", ""):
            self.fig, self.text = (a["data-ref"], a["data-cell"]), []
        elif tag == "a" and "ref" in a.get("class", ""):
            self.ref = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.table = None
        elif tag == "td" and self.cell is not None and self.table:
            self.page.cells[self.table][self.cell] = "".join(self.text).strip()
            self.cell = None
        elif tag == "th" and self.head is not None and self.table:
            self.page.cells[self.table][f"head:{self.head}"] = "".join(self.text).strip()
            self.head = None
        elif tag == "div" and self.in_summary:
            self.in_summary -= 1
        elif tag == "span" and self.fig is not None:
            self.page.figs.append((*self.fig, "".join(self.text)))
            self.fig = None
        elif tag == "a" and self.ref:
            self.ref = False

    def handle_data(self, data: str) -> None:
        if self.cell is not None or self.head is not None or self.fig is not None:
            self.text.append(data)
        if self.in_summary:
            self.page.summary += data
            if self.fig is None and not self.ref:
                self.page.words += data


def parse(html: str) -> Page:
    parser = _Parser()
    parser.feed(html)
    return parser.page


def untraceable(page: Page) -> list[str]:
    """Figures of the narrative not found in the cell they name, and digits outside figures."""
    problems = []
    for table, cell, text in page.figs:
        value = page.cells.get(table, {}).get(cell)
        if value is None or value.lstrip("+−-") != text.lstrip("+−-"):
            problems.append(f"{text!r} names {table}/{cell} = {value!r}")
    stray = re.findall(r"\d+", page.words)
    if stray:
        problems.append(f"numbers in the narrative outside figures: {stray}")
    return problems


def personal_leaks(text: str, names: tuple[str, ...] = ()) -> list[str]:
    return PHONE.findall(text) + ID_NUMBER.findall(text) + [n for n in names if n in text]
