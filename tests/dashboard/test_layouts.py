from __future__ import annotations

from pathlib import Path

import pytest
from plotly.offline import get_plotlyjs_version

from dashboard.wall.layouts import LayoutError, load_layout, local, parse_layout
from layouts import layout_files

ROTATING = """
[[screens]]
columns = 4
rows = 2
[[screens.panels]]
type = 'alarms'
col = 1
row = 1
[screens.rotation]
interval_s = 10
[[screens.rotation.pages]]
[[screens.rotation.pages.panels]]
type = 'map'
col = 2
row = 1
width = 3
height = 2
[[screens.rotation.pages]]
[[screens.rotation.pages.panels]]
type = 'trend'
col = 2
row = 1
width = 3
[[screens.rotation.pages.panels]]
type = 'categories'
col = 2
row = 2
width = 3
"""


def test_every_shipped_layout_is_valid() -> None:
    files = layout_files()
    assert {"desk", "county-3x2", "single-4k"} <= set(files)
    for name in files:
        layout = load_layout(name)
        assert layout.name == name
        assert layout.screens


def write(tmp_path: Path, text: str, name: str = "wall.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[screens]]\npanels = []\n", "screens.0.panels: List should have at least 1 item"),
        (
            "[[screens]]\ncolumns = 4\n"
            "[[screens.panels]]\ntype = 'map'\ncol = 3\nrow = 1\nwidth = 3\n",
            "panels[0] (map) is wider than the screen",
        ),
        (
            "[[screens]]\n[[screens.panels]]\ntype = 'radar'\ncol = 1\nrow = 1\n",
            "screens.0.panels.0.type",
        ),
        ("colour = 'red'\n[[screens]]\n", "colour: Extra inputs are not permitted"),
        (
            "[[screens]]\n[[screens.panels]]\ntype = 'map'\ncol = 1\nrow = 1\nwidth = 4\n"
            "[[screens.panels]]\ntype = 'alarms'\ncol = 3\nrow = 1\n",
            "panels[1] (alarms) overlaps panels[0] (map)",
        ),
        (
            "[[screens]]\n[[screens.panels]]\ntype = 'map'\ncol = 1\nrow = 1\n"
            "options = { color_by = 'red', zoom = 3 }\n",
            "options.color_by: Input should be 'backlog' or 'overdue'; options.zoom: Extra inputs",
        ),
        (ROTATING.replace("'alarms'", "'health'"), "must pin an alarms panel"),
        (ROTATING.replace("col = 2", "col = 1"), "rotation.pages[0].panels[0] (map) overlaps a"),
        (
            ROTATING.split(
                "[[screens.rotation.pages]]\n[[screens.rotation.pages.panels]]\ntype = 'trend'",
                maxsplit=1,
            )[0],
            "at least 2 items",
        ),
        ("[[screens]\n", "not valid TOML"),
        ("title = { zh-CN = '值班台', fr = 'Bureau' }\n[[screens]]\n", "title.str: Input should"),
    ],
)
def test_errors_name_the_file_and_the_place(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(LayoutError) as info:
        parse_layout(write(tmp_path, text))
    assert str(info.value).startswith("wall.toml: ")
    assert message in str(info.value)


def test_yaml_layouts_are_read_too(tmp_path: Path) -> None:
    write(
        tmp_path,
        "title: 测试\nscreens:\n  - panels:\n      - {type: backlog, col: 1, row: 1}\n",
        "small.yaml",
    )
    layout = load_layout("small", tmp_path)
    assert layout.title == "测试"
    assert layout.screens[0].panel_ids() == ["backlog-0"]
    with pytest.raises(LayoutError, match="no layout named 'big'"):
        load_layout("big", tmp_path)


def test_rotation_pages_take_turns_in_one_place(tmp_path: Path) -> None:
    layout = parse_layout(write(tmp_path, ROTATING))
    screen = layout.screens[0]
    assert [p.type for p in screen.all_panels()] == ["alarms", "map", "trend", "categories"]
    assert screen.page_of() == [None, 0, 1, 1]
    assert screen.panel_ids() == ["alarms-0", "map-1", "trend-2", "categories-3"]
    assert screen.rotation is not None
    assert screen.rotation.interval_s == 10
    assert screen.all_panels()[0].opts.rows == 8  # the options model's default


def test_the_shipped_walls_have_their_sizes() -> None:
    county = load_layout("county-3x2")
    assert len(county.screens) == 6
    assert (county.canvas.width, county.canvas.height) == (1920, 1080)
    assert (load_layout("single-4k").canvas.width, load_layout("desk").density) == (3840, 0.85)
    for name in ("county-3x2", "single-4k", "desk"):
        layout = load_layout(name)
        rotating = [s for s in layout.screens if s.rotation]
        assert rotating, f"{name} has no rotation"
        for screen in layout.screens:
            assert sum(p.type == "header" for p in screen.panels) == 1


def test_the_vendored_plotly_bundle_matches_the_plotly_package() -> None:
    """The wall serves plotly.js's basic bundle instead of the full one: same version."""
    bundle = Path(__file__).parents[2] / "dashboard/wall/assets/vendor/plotly-basic.min.js"
    head = bundle.read_text(encoding="utf-8")[:200]
    assert f"plotly.js (basic - minified) v{get_plotlyjs_version()}" in head


def test_titles_may_come_in_each_language(tmp_path: Path) -> None:
    write(
        tmp_path,
        "title = { zh-CN = '值班台', en = 'Duty desk' }\n[[screens]]\n[[screens.panels]]\n"
        "type = 'backlog'\ncol = 1\nrow = 1\ntitle = { zh-CN = '积压' }\n",
    )
    layout = load_layout("wall", tmp_path)
    assert local(layout.title, "zh-CN") == "值班台"
    assert local(layout.title, "en") == "Duty desk"
    panel = layout.screens[0].all_panels()[0]
    assert local(panel.title, "en") == "积压"  # only one language given: shown in every one
    assert local("单一", "en") == "单一"
    assert local(None, "en") is None
