from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridwall.contract.geo import bd09_to_gcj02, from_wgs84, gcj02_to_bd09, to_wgs84, wgs84_to_gcj02

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


# Published point pairs (lon, lat). Sources: the test data of wandergis/coordtransform
# (test/app.js), googollee/eviltransform (its Python and PHP tests), hujiulong/gcoord
# (test/unit/crs/GCJ02.spec.js), and a WGS-84 → GCJ-02 pair answered by Amap's own
# conversion API, recorded in the tests of an R package (its "api" value).
WGS_TO_GCJ = [
    ((116.404, 39.915), (116.41024449916938, 39.91640428150164)),  # Beijing (coordtransform)
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),  # Shanghai (eviltransform)
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),  # Shenzhen (eviltransform)
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),  # Beijing (eviltransform)
]


@pytest.mark.parametrize(("wgs", "gcj"), WGS_TO_GCJ)
def test_wgs84_to_gcj02_matches_published_pairs(
    wgs: tuple[float, float], gcj: tuple[float, float]
) -> None:
    assert wgs84_to_gcj02(*wgs) == pytest.approx(gcj, abs=1e-9)
    # The inverse recovers the WGS-84 point of the pair (eviltransform's exact inverse does too).
    assert to_wgs84(*gcj, "gcj02") == pytest.approx(wgs, abs=1e-8)


def test_gcj02_and_bd09_match_published_pairs() -> None:
    assert gcj02_to_bd09(116.404, 39.915) == pytest.approx(
        (116.41036949371029, 39.92133699351021), abs=1e-9
    )  # coordtransform
    assert gcj02_to_bd09(123, 45) == pytest.approx((123.00636499, 45.00636899), abs=1e-7)  # gcoord
    # The published BD-09 → GCJ-02 is a one-step approximation (off by up to ~5e-7°);
    # ours refines it to the exact inverse.
    assert bd09_to_gcj02(116.404, 39.915) == pytest.approx(
        (116.39762729119315, 39.90865673957631), abs=1e-6
    )
    assert gcj02_to_bd09(*bd09_to_gcj02(116.404, 39.915)) == pytest.approx(
        (116.404, 39.915), abs=1e-9
    )
    # GCJ-02 → WGS-84 published by gcoord (to 8 decimals, one-step inverse).
    assert to_wgs84(123, 45, "gcj02") == pytest.approx((122.99395597, 44.99804071), abs=1e-6)


def test_gcj02_agrees_with_the_amap_service_within_a_metre() -> None:
    # Tiananmen: Amap's conversion API answered (116.39713623, 39.90874539).
    assert wgs84_to_gcj02(116.39089, 39.90734) == pytest.approx(
        (116.39713623, 39.90874539), abs=1e-5
    )
