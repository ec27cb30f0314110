"""The open incidents as a wall server keeps them: 临期/超期 per area, markers, strip items."""

from __future__ import annotations

from typing import Any

from dashboard.wall.openset import OpenSet


def case(n: int, **kw: Any) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": f"c{n}",
        "status": "reported",
        "sla": "normal",
        "urgency": "normal",
        "grid": "g1",
        "community": "m1",
        "street": "s1",
        "lon": 118.8,
        "lat": 31.9,
        "title": f"case {n}",
        "reported_at": f"2026-11-27T09:{n:02d}:00+08:00",
        "deadline": None,
    }
    found.update(kw)
    return found


def test_near_and_overdue_are_counted_per_area_as_cases_change() -> None:
    cases = OpenSet([case(1, sla="warning"), case(2, sla="overdue", grid="g2"), case(3)])
    assert cases.area_sla() == {"g1": (1, 0), "g2": (0, 1), "m1": (1, 1), "s1": (1, 1)}
    cases.apply(case(1, sla="overdue"))  # a warning turned into a breach
    assert cases.area_sla()["s1"] == (0, 2)
    before = cases.apply(case(2, status="closed"))
    assert before is not None
    assert before.sla == "overdue"
    assert cases.area_sla() == {"g1": (0, 1), "m1": (0, 1), "s1": (0, 1)}
    assert len(cases) == 2
    cases.apply(case(9, status="closed"))  # never open: nothing happens
    assert len(cases) == 2


def test_markers_take_the_most_pressing_first_within_the_limit() -> None:
    cases = OpenSet(
        [case(1), case(2, urgency="urgent"), case(3, sla="warning"), case(4, sla="overdue"),
         case(5, lon=None, lat=None, sla="overdue")]
    )  # fmt: skip
    assert list(cases.markers(3)) == ["c4", "c3", "c2"]
    every = cases.markers(100)
    assert set(every) == {"c1", "c2", "c3", "c4"}  # c5 has no location
    assert every["c4"] == (118.8, 31.9, "o", 0)
    assert every["c2"][2:] == ("n", 1)


def test_the_newest_urgent_cases_and_breaches() -> None:
    cases = OpenSet(
        [case(1, urgency="urgent"), case(2, urgency="urgent"), case(3),
         case(4, sla="overdue", deadline="2026-11-27T10:00:00+08:00"),
         case(5, sla="overdue", deadline="2026-11-27T11:00:00+08:00")]
    )  # fmt: skip
    assert [c.id for c in cases.newest_urgent(5)] == ["c2", "c1"]
    assert [c.id for c in cases.newest_breaches(1)] == ["c5"]
    cases.apply(case(2, urgency="urgent", status="closed"))
    assert [c.id for c in cases.newest_urgent(5)] == ["c1"]
