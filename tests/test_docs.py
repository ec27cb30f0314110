"""Docs cannot drift: every setting and every Redis name is documented."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from gridwall.platform.keys import Keys
from gridwall.platform.settings import documented_settings

DOCS = Path(__file__).parent.parent / "docs"


def key_names() -> dict[str, str]:
    """Every name of gridwall.platform.keys, with placeholders for its arguments."""
    keys = Keys("county")
    names = {}
    for name, member in inspect.getmembers(Keys):
        if name.startswith("_") or name in {"county", "prefix"} or name.endswith("pattern"):
            continue
        if isinstance(member, property):
            names[name] = getattr(keys, name)
        elif inspect.isfunction(member):
            params = list(inspect.signature(member).parameters)[1:]
            names[name] = getattr(keys, name)(*(f"<{p}>" for p in params))
    return names


@pytest.mark.parametrize(("attr", "key"), sorted(key_names().items()))
def test_every_redis_name_is_documented(attr: str, key: str) -> None:
    text = (DOCS / "streams-and-keys.md").read_text(encoding="utf-8")
    assert f"`{key}`" in text, f"{attr} ({key}) is missing from docs/streams-and-keys.md"


@pytest.mark.parametrize("path", documented_settings())
def test_every_setting_is_documented(path: str) -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    assert f"`{path}`" in text, f"setting {path} is missing from docs/configuration.md"
