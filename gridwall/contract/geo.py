"""Coordinate conversion to WGS-84, the only system gridwall stores.

GCJ-02 (Amap, Tencent, most phone SDKs) is WGS-84 with the published obfuscation offset;
BD-09 (Baidu) is a further rotation of GCJ-02. Both conversions are the well-known public
approximations; their inverses are refined by fixed-point iteration to well under a millimetre.
Outside mainland China's bounding box the offset is not applied (as the reference does).
"""

from __future__ import annotations

import math

from gridwall.contract.events import Crs

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0


def out_of_china(lon: float, lat: float) -> bool:
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _delta_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2 / 3
    return ret


def _delta_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3
    return ret


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    if out_of_china(lon, lat):
        return lon, lat
    d_lat = _delta_lat(lon - 105.0, lat - 35.0)
    d_lon = _delta_lon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return lon + d_lon, lat + d_lat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Invert ``wgs84_to_gcj02`` by iteration (converges to < 1e-9 degrees)."""
    if out_of_china(lon, lat):
        return lon, lat
    w_lon, w_lat = lon, lat
    for _ in range(30):
        g_lon, g_lat = wgs84_to_gcj02(w_lon, w_lat)
        d_lon, d_lat = g_lon - lon, g_lat - lat
        w_lon, w_lat = w_lon - d_lon, w_lat - d_lat
        if abs(d_lon) < 1e-10 and abs(d_lat) < 1e-10:
            break
    return w_lon, w_lat


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """The published inverse, refined by iteration (it alone is off by up to 1e-6°)."""
    x, y = lon - 0.0065, lat - 0.006
    z = math.hypot(x, y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    g_lon, g_lat = z * math.cos(theta), z * math.sin(theta)
    for _ in range(10):
        b_lon, b_lat = gcj02_to_bd09(g_lon, g_lat)
        d_lon, d_lat = b_lon - lon, b_lat - lat
        g_lon, g_lat = g_lon - d_lon, g_lat - d_lat
        if abs(d_lon) < 1e-11 and abs(d_lat) < 1e-11:
            break
    return g_lon, g_lat


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    z = math.hypot(lon, lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def to_wgs84(lon: float, lat: float, crs: Crs | str) -> tuple[float, float]:
    """Convert a point in ``crs`` to WGS-84."""
    crs = Crs(crs)
    if crs is Crs.WGS84:
        return lon, lat
    if crs is Crs.GCJ02:
        return gcj02_to_wgs84(lon, lat)
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def from_wgs84(lon: float, lat: float, crs: Crs | str) -> tuple[float, float]:
    """Convert a WGS-84 point to ``crs`` (for exports and tests)."""
    crs = Crs(crs)
    if crs is Crs.WGS84:
        return lon, lat
    gcj = wgs84_to_gcj02(lon, lat)
    return gcj if crs is Crs.GCJ02 else gcj02_to_bd09(*gcj)
