"""Patches for the wall's newest-first lists (rows of components, keyed).

A push to a list that gained a few items at the front and lost as many at the end sends just
those rows (``Patch.prepend`` and deletions by position), plus any kept row that changed in
place; anything else (a reordering, mostly new rows) is cheaper sent whole.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from dash import Patch

K = TypeVar("K")
V = TypeVar("V")


def front_patch(
    old: Sequence[tuple[K, V]],
    new: Sequence[tuple[K, V]],
    render: Callable[[K, V], Any],
) -> Patch | list[Any] | None:
    """The update of a list that showed ``old`` (key, value) rows so that it shows ``new``:
    None when nothing changed, a Patch for a shift, else every row rendered."""
    if list(old) == list(new):
        return None
    old_keys, new_keys = [k for k, _v in old], [k for k, _v in new]
    added = next((m for m in range(len(new) + 1) if new_keys[m:] == old_keys[: len(new) - m]), None)
    if added is None or not old or not new or added > len(new) // 2:
        return [render(k, v) for k, v in new]
    kept = len(new) - added
    patch = Patch()
    for index in range(len(old) - 1, kept - 1, -1):
        del patch[index]
    for index, (key, value) in enumerate(new[added:]):
        if old[index][1] != value:
            patch[index] = render(key, value)
    for key, value in reversed(new[:added]):
        patch.prepend(render(key, value))
    return patch


def list_update(
    old: Sequence[V],
    new: Sequence[V],
    key: Callable[[V], Any],
    render: Callable[[V], Any],
    empty: Callable[[], Any],
) -> Patch | list[Any] | None:
    """The ``children`` update of a newest-first list of ``items`` (each known by ``key``) that
    shows ``empty()`` when it has none: None, a Patch or every row."""
    if not new:
        return [empty()] if old else None
    if not old:
        return [render(item) for item in new]
    return front_patch(
        [(key(i), i) for i in old], [(key(i), i) for i in new], lambda _k, item: render(item)
    )
