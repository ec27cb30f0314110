from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.wall.layouts import LayoutError, layout_files, load_layout, parse_layout


def test_every_shipped_layout_is_valid() -> None:
    files = layout_files()
    assert "desk" in files
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
        ("[[screens]\n", "not valid TOML"),
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
        "title: 测试\nscreens:\n  - panels:\n      - {type: gauge, col: 1, row: 1}\n",
        "small.yaml",
    )
    layout = load_layout("small", tmp_path)
    assert layout.title == "测试"
    assert layout.screens[0].panel_ids() == ["gauge-0"]
    with pytest.raises(LayoutError, match="no layout named 'big'"):
        load_layout("big", tmp_path)
