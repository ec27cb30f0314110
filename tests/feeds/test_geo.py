from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feeds.geo import bd09_to_gcj02, from_wgs84, gcj02_to_bd09, to_wgs84, wgs84_to_gcj02

china_lon = st.floats(min_value=73.0, max_value=135.0)
china_lat = st.floats(min_value=18.0, max_value=53.0)


@given(china_lon, china_lat)
def test_gcj02_round_trip_is_within_a_millimetre(lon: float, lat: float) -> None:
    back = to_wgs84(*wgs84_to_gcj02(lon, lat), "gcj02")
    assert back == pytest.approx((lon, lat), abs=1e-8)


@given(china_lon, china_lat)
def test_bd09_round_trip(lon: float, lat: float) -> None:
    assert bd09_to_gcj02(*gcj02_to_bd09(lon, lat)) == pytest.approx((lon, lat), abs=1e-8)
    assert to_wgs84(*from_wgs84(lon, lat, "bd09"), "bd09") == pytest.approx((lon, lat), abs=1e-8)


def test_the_offset_has_the_published_size_near_nanjing() -> None:
    lon, lat = 118.7969, 32.0603
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    # GCJ-02 shifts eastern China by a few hundred metres to the east and south.
    assert 0.003 < g_lon - lon < 0.007
    assert -0.004 < g_lat - lat < 0.0
    b_lon, b_lat = gcj02_to_bd09(g_lon, g_lat)
    assert 0.005 < b_lon - g_lon < 0.008
    assert 0.004 < b_lat - g_lat < 0.008


def test_outside_china_nothing_moves() -> None:
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert to_wgs84(2.35, 48.85, "gcj02") == (2.35, 48.85)
