"""Cameras in: each with one or more identities and a place (a position, a grid, or both).

Identities are how a device names itself in its alarms: a 20-digit GB/T 28181 id, a MAC
address + channel (Hikvision ISAPI), an IP address + channel, a Frigate camera name. Two cameras
may not share an identity. A position without a grid is placed in the grid that contains it.
"""

from __future__ import annotations

from gridwall.contract.events import Crs
from gridwall.contract.geo import to_wgs84
from gridwall.refdata.codes import (
    FRIGATE_NAME,
    gb28181_reason,
    gb28181_type_warning,
    ip_reason,
    normalize_mac,
    record_code_reason,
)
from gridwall.refdata.importing.options import ImportOptions
from gridwall.refdata.importing.problems import Problems, Severity
from gridwall.refdata.importing.table import Column, Row, seen_before
from gridwall.refdata.model import Camera, CameraIdentity, IdentityKind, Level, identity_key
from gridwall.refdata.registry import Registry

COLUMNS = (
    Column("id", ("编号", "设备编号", "点位编号"), help="camera id (default: the GB/T 28181 id)"),
    Column("name", ("名称", "设备名称", "点位名称"), required=True, help="camera name"),
    Column("gb28181", ("国标编码", "国标ID", "国标编号", "gbid", "gb_id")),
    Column("mac", ("MAC地址", "mac_address")),
    Column("ip", ("IP地址", "ip_address")),
    Column("channel", ("通道", "通道号")),
    Column("frigate", ("Frigate名称", "frigate_camera")),
    Column("lon", ("经度", "longitude", "lng")),
    Column("lat", ("纬度", "latitude")),
    Column("crs", ("坐标系",)),
    Column("grid", ("网格", "网格编码", "所属网格")),
    Column("group", ("分组", "点位类型", "camera_group")),
)


class _Row:
    """One camera row being checked; problems go to the shared list."""

    def __init__(self, row: Row, problems: Problems) -> None:
        self.row = row
        self.problems = problems
        self.code: str | None = None

    def error(self, field: str, reason: str, severity: Severity = Severity.ERROR) -> None:
        self.problems.add(self.row.where, reason, code=self.code, field=field, severity=severity)

    def identities(self) -> list[CameraIdentity]:
        found = self._gb28181()
        channel_text = self.row.get("channel") or "1"
        channel = int(channel_text) if channel_text.isdigit() else None
        if channel is None:
            self.error("channel", "a channel is a whole number (0 or more)")
        mac, ip, frigate = self.row.get("mac"), self.row.get("ip"), self.row.get("frigate")
        if mac:
            normal = normalize_mac(mac)
            if normal is None:
                self.error("mac", "not a MAC address (six hex pairs)")
            elif channel is not None:
                found.append(CameraIdentity(kind=IdentityKind.MAC, value=f"{normal}/{channel}"))
        if ip:
            reason = ip_reason(ip)
            if reason:
                self.error("ip", reason)
            elif channel is not None:
                found.append(CameraIdentity(kind=IdentityKind.IP, value=f"{ip}/{channel}"))
        if frigate and not FRIGATE_NAME.match(frigate):
            self.error("frigate", "a Frigate camera name is letters, digits, '_' or '-'")
        elif frigate:
            found.append(CameraIdentity(kind=IdentityKind.FRIGATE, value=frigate))
        return found

    def _gb28181(self) -> list[CameraIdentity]:
        gb = self.row.get("gb28181")
        if not gb:
            return []
        reason = gb28181_reason(gb)
        if reason:
            self.error("gb28181", reason)
            return []
        warning = gb28181_type_warning(gb)
        if warning:
            self.error("gb28181", warning, Severity.WARNING)
        return [CameraIdentity(kind=IdentityKind.GB28181, value=gb)]

    def location(self, default: Crs) -> tuple[float, float] | None:
        lon_text, lat_text = self.row.get("lon"), self.row.get("lat")
        if not lon_text and not lat_text:
            return None
        try:
            lon, lat = float(lon_text), float(lat_text)
        except ValueError:
            self.error("lon", "a position needs both lon and lat as decimal degrees")
            return None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            self.error("lon", "lon/lat out of range (degrees expected)")
            return None
        crs_text = self.row.get("crs").lower()
        if crs_text and crs_text not in {c.value for c in Crs}:
            self.error("crs", f"unknown crs {crs_text!r} (wgs84, gcj02 or bd09)")
            return None
        w_lon, w_lat = to_wgs84(lon, lat, Crs(crs_text) if crs_text else default)
        return round(w_lon, 7), round(w_lat, 7)

    def grid(self, context: Registry, location: tuple[float, float] | None) -> str | None:
        given = self.row.get("grid") or None
        located = context.locate(*location) if location is not None else None
        if given is not None:
            area = context.area(given)
            if area is None or area.level is not Level.GRID:
                self.error("grid", f"unknown grid {given}")
                return None
            if location is not None and located != given:
                where = f"grid {located}" if located else "no grid"
                self.error("grid", f"the position lies in {where}", Severity.WARNING)
            return given
        if location is None:
            self.error("lon", "needs a position (lon, lat) or a grid")
        elif located is None:
            self.error("lon", "the position lies outside every grid")
        return located


def parse_cameras(
    rows: list[Row], context: Registry, options: ImportOptions, problems: Problems
) -> list[Camera]:
    """Camera records of table rows; ``context`` holds the grids they are placed in."""
    found: list[Camera] = []
    ids: dict[str, str] = {}
    identities: dict[str, str] = {}
    for row in options.track(rows, "checking cameras"):
        before = problems.error_count
        check = _Row(row, problems)
        gb = row.get("gb28181")
        camera_id = row.get("id") or gb
        check.code = camera_id or None
        if not camera_id:
            check.error("id", "no id (and no gb28181 id to use as one)")
        elif (reason := record_code_reason(camera_id)) is not None:
            check.error("id", reason)
        elif (first := seen_before(ids, camera_id, row.where)) is not None:
            check.error("id", f"duplicate id (also {first})")
        if not row.get("name"):
            check.error("name", "no name")
        found_identities = check.identities()
        if not found_identities and problems.error_count == before:
            check.error("gb28181", "no identity: give a gb28181 id, a mac, an ip or a frigate name")
        for identity in found_identities:
            key = identity_key(identity.kind, identity.value)
            if (first := seen_before(identities, key, row.where)) is not None:
                check.error(identity.kind.value, f"identity {key} is also {first}'s")
        placed = problems.error_count
        location = check.location(options.crs)
        grid = check.grid(context, location) if problems.error_count == placed else None
        if problems.error_count == before:
            found.append(
                Camera(
                    id=camera_id,
                    name=row.get("name"),
                    identities=found_identities,
                    grid=grid,
                    location=location,
                    group=row.get("group") or None,
                )
            )
    return found
