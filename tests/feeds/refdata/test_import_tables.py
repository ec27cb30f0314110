"""Departments, cameras, workers and categories: columns, mapping, XLSX, every reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gridwall.contract.events import Urgency
from gridwall.contract.geo import from_wgs84
from gridwall.refdata.codes import id_check_digit
from gridwall.refdata.importing.importer import ImportPlan, plan_import
from gridwall.refdata.importing.options import ImportOptions
from gridwall.refdata.importing.problems import Severity
from gridwall.refdata.model import DepartmentKind, IdentityKind
from gridwall.refdata.registry import Registry
from tests.feeds.refdata.conftest import Writer
from tests.feeds.refdata.tiny import COUNTY


def run(kind: str, path: Path, context: Registry, **options: Any) -> ImportPlan:
    return plan_import([(kind, [path])], context, ImportOptions(county=COUNTY, **options))


def found(plan: ImportPlan, severity: Severity = Severity.ERROR) -> list[str]:
    return [str(p) for p in plan.kinds[0].problems.ordered() if p.severity is severity]


# -- departments ----------------------------------------------------------------------------
def test_departments_with_chinese_headers_in_gb18030(tiny: Registry, table: Writer) -> None:
    path = table(
        "部门.csv",
        ["编码", "名称", "类型", "所属街道"],
        [["sf", "区司法局", "县级", ""], ["jd001", "甲街道办事处", "街道", "320115001000"]],
        encoding="gb18030",  # as Excel saves it on a Chinese Windows
    )
    plan = run("departments", path, tiny)
    assert found(plan) == []
    registry = plan.registry(tiny)
    office = registry.department("jd001")
    assert office is not None
    assert (office.name, office.kind, office.area) == ("甲街道办事处", DepartmentKind.STREET,
                                                       "320115001000")  # fmt: skip
    assert plan.kinds[0].diff.removed == ["cg", "ga"]  # the file is the whole list


def test_department_errors(tiny: Registry, table: Writer) -> None:
    rows = [
        ["ga", "区公安分局", "", ""],
        ["ga", "公安", "", ""],
        ["部门 1", "区民政局", "", ""],
        ["mz", "", "", ""],
        ["sw", "区水务局", "委员会", ""],
        ["jd9", "丙街道办事处", "street", "320115009000"],
        ["jd1", "北社区居委会", "", "320115001001"],
        ["jd2", "无街道办事处", "street", ""],
    ]
    plan = run("departments", table("d.csv", ["code", "name", "kind", "area"], rows), tiny)
    assert found(plan) == [
        "error: row 3 (ga): code: duplicate code (also row 2)",
        "error: row 4 (部门 1): code: code must be 1–32 letters, digits, '_', '.' or '-', "
        "starting with a letter or digit",
        "error: row 5 (mz): name: no name",
        "error: row 6 (sw): kind: unknown kind '委员会'",
        "error: row 7 (jd9): area: unknown area 320115009000",
        "error: row 8 (jd1): area: area 320115001001 is not a street/town",
    ]
    assert "warning: row 9 (jd2): area: a street office without its street (area)" in found(
        plan, Severity.WARNING
    )


def test_columns_can_be_mapped_and_missing_ones_are_named(tiny: Registry, table: Writer) -> None:
    path = table("d.csv", ["部门代码", "部门全称"], [["sf", "区司法局"]])
    assert found(run("departments", path, tiny)) == [
        "error: header: missing column 'code' (department code)",
        "error: header: missing column 'name' (Chinese name)",
    ]
    plan = run("departments", path, tiny, mapping={"code": "部门代码", "name": "部门全称"})
    assert found(plan) == []
    assert plan.registry(tiny).department("sf") is not None


# -- cameras --------------------------------------------------------------------------------
CAMERA_HEADER = ["id", "name", "gb28181", "mac", "ip", "channel", "frigate", "lon", "lat", "grid"]
GB = "32011500001320000042"


def test_cameras_with_each_kind_of_identity(tiny: Registry, table: Writer) -> None:
    mac, ip = "44-19-B6-00-12-7A", "10.20.3.41"
    rows = [
        ["", "东门", GB, "", "", "", "", "118.71", "31.89", ""],
        ["nvr1-2", "西门", "", mac, ip, "2", "", "", "", "320115101201002"],
        ["gate", "大门", "", "", "", "", "gate_east", "118.74", "31.81", "320115001002002"],
    ]
    plan = run("cameras", table("c.csv", CAMERA_HEADER, rows), tiny)
    assert found(plan) == []
    registry = plan.registry(tiny)
    camera = registry.camera_by_identity("gb28181", GB)
    assert camera is not None
    assert (camera.id, camera.grid) == (GB, "320115001001001")  # placed by its position
    assert registry.camera_by_identity(IdentityKind.MAC, "44:19:b6:00:12:7a/2").id == "nvr1-2"  # type: ignore[union-attr]
    assert registry.camera_by_identity("ip", "10.20.3.41/2").id == "nvr1-2"  # type: ignore[union-attr]
    assert registry.camera_by_identity("frigate", "gate_east").grid == "320115001002002"  # type: ignore[union-attr]


def test_camera_errors(tiny: Registry, table: Writer) -> None:
    rows = [
        ["a", "一", "3201150000132000004", "", "", "", "", "118.71", "31.89", ""],
        ["b", "二", "", "44:19:b6:00:12", "", "", "", "118.71", "31.89", ""],
        ["c", "三", "", "", "10.20.3.300", "", "", "118.71", "31.89", ""],
        ["d", "四", "", "", "10.20.3.41", "x", "", "118.71", "31.89", ""],
        ["e", "五", GB, "", "", "", "", "118.71", "31.89", ""],
        ["f", "六", GB, "", "", "", "", "118.71", "31.89", ""],
        ["e", "七", "", "", "", "", "cam7", "118.71", "31.89", ""],
        ["g", "八", "", "", "", "", "", "118.71", "31.89", ""],
        ["h", "九", "", "", "", "", "cam9", "120.5", "30.1", ""],
        ["i", "十", "", "", "", "", "cam10", "", "", "320115999999999"],
        ["j", "十一", "", "", "", "", "cam11", "", "", ""],
        ["k", "十二", "", "", "", "", "cam12", "118.71", "", ""],
        ["", "十三", "", "", "", "", "cam13", "", "", "320115001001001"],
    ]
    plan = run("cameras", table("c.csv", CAMERA_HEADER, rows), tiny)
    assert found(plan) == [
        "error: row 2 (a): gb28181: a GB/T 28181 id has exactly 20 digits",
        "error: row 3 (b): mac: not a MAC address (six hex pairs)",
        "error: row 4 (c): ip: not an IPv4 or IPv6 address",
        "error: row 5 (d): channel: a channel is a whole number (0 or more)",
        f"error: row 7 (f): gb28181: identity gb28181:{GB} is also row 6's",
        "error: row 8 (e): id: duplicate id (also row 6)",
        "error: row 9 (g): gb28181: no identity: give a gb28181 id, a mac, an ip or a frigate name",
        "error: row 10 (h): lon: the position lies outside every grid",
        "error: row 11 (i): grid: unknown grid 320115999999999",
        "error: row 12 (j): lon: needs a position (lon, lat) or a grid",
        "error: row 13 (k): lon: a position needs both lon and lat as decimal degrees",
        "error: row 14: id: no id (and no gb28181 id to use as one)",
    ]


def test_camera_warnings_and_gcj02_positions(tiny: Registry, table: Writer) -> None:
    lon, lat = from_wgs84(118.71, 31.89, "gcj02")
    nvr = "32011500001180000001"
    rows = [
        ["", "录像机", nvr, "", "", "", "", str(lon), str(lat), ""],
        ["x", "错位", "", "", "", "", "cam", str(lon), str(lat), "320115101201001"],
    ]
    plan = run("cameras", table("c.csv", CAMERA_HEADER, rows), tiny, crs="gcj02")
    assert found(plan) == []
    assert found(plan, Severity.WARNING) == [
        f"warning: row 2 ({nvr}): gb28181: device type 118 (NVR) is not a camera (131) "
        "or IPC (132)",
        "warning: row 3 (x): grid: the position lies in grid 320115001001001",
    ]
    camera = plan.registry(tiny).camera(nvr)
    assert camera is not None
    assert camera.location == pytest.approx((118.71, 31.89), abs=1e-7)


def test_a_20_digit_id_typed_as_a_spreadsheet_number(tiny: Registry, table: Writer) -> None:
    path = table("c.xlsx", ["name", "gb28181", "grid"], [["东门", 32011500001320000042.0,
                                                         "320115001001001"]])  # fmt: skip
    assert "error: row 2: gb28181: a spreadsheet number this long has lost digits; format the " \
        "column as text" in found(run("cameras", path, tiny))  # fmt: skip


# -- workers --------------------------------------------------------------------------------
def _id_number(first17: str) -> str:
    return first17 + id_check_digit(first17)


def test_workers_from_xlsx(tiny: Registry, table: Writer) -> None:
    good_id = _id_number("32011519900307123")
    rows = [
        ["WG1", "张小三", "13812341234", good_id, "320115001001001、320115001001002"],
        ["WG2", "李四", "025-52101234", "", "320115101201001"],
    ]
    path = table("网格员.xlsx", ["工号", "姓名", "手机", "身份证号", "负责网格"], rows)
    plan = run("workers", path, tiny)
    assert found(plan) == []
    registry = plan.registry(tiny)
    assert [w.id for w in registry.workers_in("320115001001")] == ["WG1"]
    assert registry.workers["WG1"].grids == ["320115001001001", "320115001001002"]


def test_worker_reasons_never_quote_personal_values(tiny: Registry, table: Writer) -> None:
    bad_id = _id_number("32011519900307123")[:-1] + "0"
    bad_id = bad_id if bad_id != _id_number("32011519900307123") else bad_id[:-1] + "1"
    rows = [
        ["WG1", "张小三", "1381234123", bad_id, "320115001001001"],
        ["WG2", "", "", "", "320115999999999"],
        ["WG3", "王五", "", "11010519491231002", ""],
    ]
    plan = run("workers", table("w.csv", ["id", "name", "phone", "id_number", "grids"], rows), tiny)
    assert found(plan) == [
        "error: row 2 (WG1): phone: not a mobile (11 digits from 13–19) or landline "
        "(0 + area code) number",
        "error: row 2 (WG1): id_number: the ID number's check digit is wrong",
        "error: row 3 (WG2): name: no name",
        "error: row 3 (WG2): grids: unknown grid 320115999999999",
        "error: row 4 (WG3): id_number: an ID number has 17 digits and a check digit (0–9 or X)",
    ]
    assert found(plan, Severity.WARNING) == ["warning: row 4 (WG3): grids: serves no grid"]
    text = "\n".join(str(p) for p in plan.kinds[0].problems.items)
    for personal in ("张小三", "1381234123", bad_id, "11010519491231002"):
        assert personal not in text


# -- categories -----------------------------------------------------------------------------
CATALOGUE = """\
categories:
  - code: "01"
    name: 市容环境
    name_en: City appearance
    urgency: normal
    department: cg
    sla: normal
    children:
      - {code: "0101", name: 暴露垃圾, sla: exposed-rubbish}
      - {code: "0102", name: 道路积水, urgency: 紧急, department: ga}
  - {code: "12", name: 安全隐患, urgency: urgent, department: ga, sla: urgent}
"""


def test_a_nested_yaml_catalogue_with_inherited_defaults(tiny: Registry, tmp_path: Path) -> None:
    path = tmp_path / "categories.yaml"
    path.write_text(CATALOGUE, encoding="utf-8")
    plan = run("categories", path, tiny)
    assert found(plan) == []
    registry = plan.registry(tiny)
    rubbish = registry.category("0101")
    assert rubbish is not None
    assert (rubbish.parent, rubbish.urgency, rubbish.department, rubbish.sla) == (
        "01", Urgency.NORMAL, "cg", "exposed-rubbish",
    )  # fmt: skip
    water = registry.category("0102")
    assert water is not None
    assert (water.urgency, water.department, water.sla) == (Urgency.URGENT, "ga", "normal")
    assert [c.code for c in registry.subcategories("01")] == ["0101", "0102"]


def test_category_errors(tiny: Registry, table: Writer) -> None:
    rows = [
        ["01", "市容环境", "", "normal", "cg", "normal"],
        ["0101", "暴露垃圾", "01", "soon", "", ""],
        ["0102", "道路不洁", "09", "", "", ""],
        ["0103", "私搭乱建", "01", "", "zz", ""],
        ["0104", "积存垃圾", "01", "", "", "Exposed Rubbish"],
        ["A", "甲", "B", "", "", ""],
        ["B", "乙", "A", "", "", ""],
        ["01", "重复", "", "", "", ""],
        ["13", "治安", "", "", "", ""],
    ]
    header = ["code", "name", "parent", "urgency", "department", "sla"]
    plan = run("categories", table("c.csv", header, rows), tiny)
    assert found(plan) == [
        "error: row 3 (0101): urgency: unknown urgency 'soon' (urgent or normal)",
        "error: row 4 (0102): parent: unknown parent 09",
        "error: row 5 (0103): department: unknown department zz",
        "error: row 6 (0104): sla: an SLA key is lower-case letters, digits, '_' or '-'",
        "error: row 7 (A): parent: its parent chain loops back to it",
        "error: row 8 (B): parent: its parent chain loops back to it",
        "error: row 9 (01): code: duplicate code (also row 2)",
    ]
    assert found(plan, Severity.WARNING) == [
        "warning: row 10 (13): department: no default lead department"
    ]


def test_title_rows_above_the_header_are_skipped(tiny: Registry, table: Writer) -> None:
    rows = [["编码", "名称"], ["sf", "区司法局"], ["sf", "重复"]]
    path = table("部门.xlsx", ["演示区职能部门名册（2026年）"], rows)
    assert "error: header: missing column 'code' (department code)" in found(
        run("departments", path, tiny)
    )
    plan = run("departments", path, tiny, header_row=2)
    assert found(plan) == ["error: row 4 (sf): code: duplicate code (also row 3)"]
