"""What the map draws: one level at a time, colour classes, and patches that keep a browser's
feature lists in step (checked by applying them as Dash's renderer does)."""

from __future__ import annotations

import random
from typing import Any

from dash import Patch

from dashboard.wall.listpatch import front_patch
from dashboard.wall.mapdata import (
    Geometry,
    breaks,
    collection,
    crumbs,
    hideout,
    hideout_patch,
    keyed_patch,
)
from gridwall.refdata.model import Level
from gridwall.refdata.registry import Registry
from tests.dashboard.wall.patching import apply_patch


def feature(key: str, value: int) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"id": key, "v": value}}


def ids(data: dict[str, Any]) -> list[tuple[str, int]]:
    return [(f["properties"]["id"], f["properties"]["v"]) for f in data["features"]]


def test_keyed_patches_follow_any_sequence_of_changes() -> None:
    rng = random.Random(3)
    old: dict[str, int] = {f"k{i}": i for i in range(120)}
    browser = collection(old, feature)
    mirror = list(old)
    for _round in range(60):
        new = {k: v for k, v in old.items() if rng.random() > 0.05}
        for k in rng.sample(list(new), 3):
            new[k] += 1
        for _ in range(rng.randint(0, 5)):
            new[f"n{rng.randint(0, 10_000)}"] = 0
        data, mirror = keyed_patch(mirror, old, new, feature)
        if isinstance(data, Patch):
            browser = apply_patch(browser, data)
        elif data is not None:
            browser = data
        assert sorted(ids(browser)) == sorted(new.items())
        assert [k for k, _v in ids(browser)] == mirror
        old = new


def test_a_mostly_new_list_is_sent_whole_and_nothing_changed_sends_nothing() -> None:
    old = {f"k{i}": i for i in range(100)}
    new = {f"x{i}": i for i in range(100)}
    data, mirror = keyed_patch(list(old), old, new, feature)
    assert isinstance(data, dict)
    assert mirror == list(new)
    assert keyed_patch(mirror, new, new, feature) == (None, mirror)


def test_hideout_patches_carry_only_changed_counts() -> None:
    codes = {"street": ["s1", "s2"], "community": ["m1"], "grid": ["g1", "g2"]}
    old = hideout({"s1": 3, "m1": 3, "g1": 3}, {}, codes, "backlog", ["#000"] * 7)
    new = hideout({"s1": 4, "m1": 4, "g1": 3, "g2": 1}, {"g1": 1}, codes, "backlog", ["#000"] * 7)
    patch = hideout_patch(old, new)
    assert patch is not None
    assert apply_patch(old, patch) == new
    operations = patch.to_plotly_json()["operations"]
    assert len(operations) <= 5  # one merge for open, one for over, the changed breaks
    gone = hideout({"s1": 4}, {}, codes, "backlog", ["#000"] * 7)
    after = apply_patch(new, hideout_patch(new, gone))
    assert {k: v for k, v in after["open"].items() if v} == gone["open"]  # a count gone is 0
    assert {k: v for k, v in after["over"].items() if v} == gone["over"]
    assert hideout_patch(new, new) is None


def test_colour_classes_split_a_level_by_quantiles() -> None:
    assert breaks([]) == [1] * 6
    assert breaks([0, 0, 5]) == [5] * 6
    found = breaks(list(range(1, 61)))
    assert found == sorted(found)
    assert found[-1] == 60
    assert found[0] == 11


def test_the_map_shows_one_level_at_a_time(demo_registry: Registry) -> None:
    geometry = Geometry()
    county = geometry.view(demo_registry, demo_registry.county)
    streets = demo_registry.by_level(Level.STREET)
    polygons = [f for f in county.data["features"] if not f["properties"].get("label")]
    labels = [f for f in county.data["features"] if f["properties"].get("label")]
    assert {f["properties"]["code"] for f in polygons} == {s.code for s in streets}
    assert len(labels) == len(streets)
    assert all(f["properties"]["click"] for f in polygons)
    street = streets[0]
    view = geometry.view(demo_registry, street.code)
    children = {f["properties"]["code"] for f in view.data["features"]}
    assert children == {c.code for c in demo_registry.children(street.code)}
    (south, west), (north, east) = view.bounds
    (s0, w0), (n0, e0) = county.bounds
    assert s0 <= south < north <= n0
    assert w0 <= west < east <= e0
    community = demo_registry.children(street.code)[0]
    grid = demo_registry.children(community.code)[0]
    last = geometry.view(demo_registry, grid.code)
    assert {f["properties"]["code"] for f in last.data["features"]} == {grid.code}
    assert not any(f["properties"]["click"] for f in last.data["features"])
    assert geometry.view(demo_registry, street.code) is view  # built once
    assert [c for c, _n in crumbs(demo_registry, grid.code)] == [
        demo_registry.county, street.code, community.code, grid.code]  # fmt: skip
    assert len(geometry.codes(demo_registry)["grid"]) == len(demo_registry.by_level(Level.GRID))


def test_newest_first_lists_shift_by_patches() -> None:
    rng = random.Random(5)
    old = [(f"k{i}", i) for i in range(7)]
    browser = [f"{k}={v}" for k, v in old]
    counter = 100
    for _round in range(80):
        new = list(old)
        for _ in range(rng.randint(0, 3)):  # a few new ones at the front
            counter += 1
            new.insert(0, (f"k{counter}", counter))
        if new and rng.random() < 0.3:  # one changes in place
            i = rng.randrange(len(new))
            new[i] = (new[i][0], new[i][1] + 1000)
        if rng.random() < 0.05:
            rng.shuffle(new)  # a reordering: sent whole
        new = new[:7]
        data = front_patch(old, new, lambda k, v: f"{k}={v}")
        if isinstance(data, Patch):
            browser = apply_patch(browser, data)
        elif data is not None:
            browser = data
        assert browser == [f"{k}={v}" for k, v in new]
        old = new
    one_new = [("n", 0), *old[:6]]
    patch = front_patch(old, one_new, lambda k, v: f"{k}={v}")
    assert isinstance(patch, Patch)
    assert len(patch.to_plotly_json()["operations"]) == 2  # delete the last, prepend the new
