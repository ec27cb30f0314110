"""The demo county's departments and category catalogue (data, not code).

Departments: a district's functional departments (职能部门), its utilities, and (generated
with the streets) each street/town office. Codes are short pinyin initials, as county systems
use them (``ga`` 公安, ``cg`` 城管 ...).

Categories: the top-level classes keep the skeleton's codes — ``01``–``05`` GB/T 30428.2 event
classes, ``11``–``19`` social governance — plus ``21``–``26`` for the GB/T 30428.2 component
classes (部件) and ``31`` for video alarms. Subcategories are the class code + 2 digits
(``0101`` 暴露垃圾). Each entry: code, name, English name, urgency, lead department, SLA key;
``None`` means "as the parent class". SLA keys: ``urgent``, ``normal``, ``complex`` and the city
overrides of docs/domain.md (``exposed-rubbish``, ``dirty-road``, ``manhole-cover``,
``street-lamps``).
"""

from __future__ import annotations

from gridwall.contract.events import Urgency
from gridwall.refdata.model import Category, Department, DepartmentKind

U, N = Urgency.URGENT, Urgency.NORMAL

#: (code, name template — ``{p}`` is the county's kind, 区 or 县 —, English name, kind)
DEPARTMENTS: tuple[tuple[str, str, str, DepartmentKind], ...] = (
    ("ga", "{p}公安分局", "Public Security Bureau", DepartmentKind.COUNTY),
    (
        "cg",
        "{p}城市管理局（综合行政执法局）",
        "Urban Management and Law Enforcement",
        DepartmentKind.COUNTY,
    ),
    ("sthj", "{p}生态环境局", "Ecology and Environment Bureau", DepartmentKind.COUNTY),
    (
        "zj",
        "{p}住房和城乡建设局",
        "Housing and Urban-Rural Development Bureau",
        DepartmentKind.COUNTY,
    ),
    ("scjg", "{p}市场监督管理局", "Market Regulation Administration", DepartmentKind.COUNTY),
    ("yj", "{p}应急管理局", "Emergency Management Bureau", DepartmentKind.COUNTY),
    ("mz", "{p}民政局", "Civil Affairs Bureau", DepartmentKind.COUNTY),
    ("sf", "{p}司法局", "Justice Bureau", DepartmentKind.COUNTY),
    ("xf", "{p}信访局", "Letters and Visits (Petitions) Bureau", DepartmentKind.COUNTY),
    ("wj", "{p}卫生健康委员会", "Health Commission", DepartmentKind.COUNTY),
    ("jy", "{p}教育局", "Education Bureau", DepartmentKind.COUNTY),
    (
        "rs",
        "{p}人力资源和社会保障局",
        "Human Resources and Social Security Bureau",
        DepartmentKind.COUNTY,
    ),
    ("jt", "{p}交通运输局", "Transport Bureau", DepartmentKind.COUNTY),
    ("sw", "{p}水务局", "Water Affairs Bureau", DepartmentKind.COUNTY),
    ("zrzy", "{p}自然资源和规划局", "Natural Resources and Planning Bureau", DepartmentKind.COUNTY),
    ("xfjy", "{p}消防救援大队", "Fire and Rescue Brigade", DepartmentKind.COUNTY),
    ("nync", "{p}农业农村局", "Agriculture and Rural Affairs Bureau", DepartmentKind.COUNTY),
    ("gd", "国网{p}供电公司", "State Grid power supply company", DepartmentKind.OTHER),
    ("gs", "{p}自来水公司", "Water supply company", DepartmentKind.OTHER),
    ("rq", "{p}燃气公司", "Gas company", DepartmentKind.OTHER),
    ("tx", "通信运营商联合服务中心", "Telecom operators' service centre", DepartmentKind.OTHER),
)

Entry = tuple[str, str, str, Urgency | None, str | None, str | None]

#: Top-level classes: (code, name, English, urgency, department, sla).
CLASSES: tuple[Entry, ...] = (
    ("01", "市容环境", "City appearance", N, "cg", "normal"),
    ("02", "宣传广告", "Advertising", N, "cg", "normal"),
    ("03", "施工管理", "Construction", N, "zj", "complex"),
    ("04", "街面秩序", "Street order", N, "cg", "normal"),
    ("05", "突发事件", "Emergencies", U, "yj", "urgent"),
    ("11", "矛盾纠纷", "Disputes", N, "sf", "normal"),
    ("12", "安全隐患", "Safety hazards", U, "yj", "urgent"),
    ("13", "治安", "Public order", N, "ga", "normal"),
    ("14", "消防", "Fire safety", U, "xfjy", "urgent"),
    ("15", "生态环境", "Ecology and environment", N, "sthj", "normal"),
    ("16", "民生服务", "Public services", N, "mz", "normal"),
    ("17", "特殊人群", "Special populations", N, "sf", "normal"),
    ("18", "食品药品", "Food and drugs", N, "scjg", "normal"),
    ("19", "信访", "Petitions", N, "xf", "normal"),
    ("21", "公用设施", "Public utilities (component)", N, "cg", "normal"),
    ("22", "道路交通", "Roads and traffic (component)", N, "jt", "normal"),
    ("23", "市容环境设施", "City appearance facilities (component)", N, "cg", "normal"),
    ("24", "园林绿化", "Landscaping (component)", N, "cg", "normal"),
    ("25", "房屋土地", "Buildings and land (component)", N, "zrzy", "normal"),
    ("26", "其他设施", "Other facilities (component)", N, "cg", "normal"),
    ("31", "视频告警", "Video alarms", N, "ga", "normal"),
)

#: Subcategories per class: (suffix, name, English, urgency, department, sla).
SUBCATEGORIES: dict[str, tuple[Entry, ...]] = {
    "01": (
        ("01", "暴露垃圾", "Exposed rubbish", None, None, "exposed-rubbish"),
        ("02", "道路不洁", "Dirty road", None, None, "dirty-road"),
        ("03", "积存垃圾渣土", "Accumulated rubbish and spoil", None, None, None),
        ("04", "私搭乱建", "Unauthorised structure", None, None, "complex"),
        ("05", "乱堆物料", "Materials piled in public", None, None, None),
        ("06", "水域不洁", "Dirty water surface", None, "sw", None),
        ("07", "绿地脏乱", "Untidy green space", None, None, None),
        ("08", "焚烧垃圾树叶", "Burning rubbish or leaves", None, "sthj", None),
        ("09", "油烟污染", "Cooking fume pollution", None, "sthj", None),
    ),
    "02": (
        ("01", "非法小广告", "Illegal small ads", None, None, None),
        ("02", "违规张贴悬挂", "Unauthorised posters and banners", None, None, None),
        ("03", "占道广告牌", "Billboard on the road", None, None, None),
        ("04", "广告招牌破损", "Damaged shop sign", None, None, None),
    ),
    "03": (
        ("01", "施工扰民", "Construction noise", None, None, "normal"),
        ("02", "工地扬尘", "Construction dust", None, "sthj", "normal"),
        ("03", "道路遗撒", "Spill from trucks", None, "cg", "normal"),
        ("04", "施工围挡破损", "Damaged hoarding", None, None, "normal"),
        ("05", "违规占道施工", "Unauthorised road works", None, "cg", None),
        ("06", "违法建设", "Illegal building", None, "cg", "complex"),
    ),
    "04": (
        ("01", "占道经营", "Street vending", None, None, None),
        ("02", "店外经营", "Business outside the shop", None, None, None),
        ("03", "流动摊贩", "Mobile vendors", None, None, None),
        ("04", "非机动车乱停放", "Bicycles parked at random", None, None, None),
        ("05", "机动车违停", "Illegally parked cars", None, "ga", None),
        ("06", "露天烧烤", "Open-air barbecue", None, None, None),
    ),
    "05": (
        ("01", "道路积水", "Waterlogged road", None, "sw", None),
        ("02", "路面塌陷", "Road collapse", None, "jt", None),
        ("03", "燃气泄漏", "Gas leak", None, "rq", None),
        ("04", "供水管道爆裂", "Burst water main", None, "gs", None),
        ("05", "树木倒伏", "Fallen tree", None, "cg", None),
        ("06", "火灾", "Fire", None, "xfjy", None),
        ("07", "交通事故", "Traffic accident", None, "ga", None),
    ),
    "11": (
        ("01", "邻里纠纷", "Neighbour dispute", None, None, None),
        ("02", "婚姻家庭纠纷", "Family dispute", None, None, None),
        ("03", "物业纠纷", "Property management dispute", None, "zj", None),
        ("04", "劳资纠纷", "Wage dispute", None, "rs", None),
        ("05", "土地权属纠纷", "Land dispute", None, "zrzy", "complex"),
        ("06", "消费纠纷", "Consumer dispute", None, "scjg", None),
    ),
    "12": (
        ("01", "电动车违规充电", "Unsafe e-bike charging", None, "xfjy", None),
        ("02", "危房", "Dangerous building", None, "zj", None),
        ("03", "燃气安全隐患", "Gas safety hazard", None, "rq", None),
        ("04", "高空坠物隐患", "Risk of falling objects", None, "zj", None),
        ("05", "危险化学品隐患", "Hazardous chemicals", None, None, None),
        ("06", "特种设备隐患", "Lifts and special equipment", N, "scjg", "normal"),
    ),
    "13": (
        ("01", "可疑人员", "Suspicious person", None, None, None),
        ("02", "聚众滋事", "Disturbance", U, None, "urgent"),
        ("03", "盗窃", "Theft", None, None, None),
        ("04", "涉黄涉赌", "Gambling or prostitution", None, None, None),
    ),
    "14": (
        ("01", "消防通道堵塞", "Blocked fire lane", None, None, None),
        ("02", "消防设施损坏", "Damaged fire equipment", N, None, "normal"),
        ("03", "三合一场所住人", "People living in a shop or workshop", None, None, None),
    ),
    "15": (
        ("01", "污水直排", "Sewage discharge", None, None, None),
        ("02", "河道漂浮物", "Floating rubbish in a river", None, "sw", None),
        ("03", "噪声扰民", "Noise", None, None, None),
        ("04", "废气排放", "Exhaust emissions", None, None, None),
        ("05", "秸秆焚烧", "Straw burning", U, None, "urgent"),
    ),
    "16": (
        ("01", "困难群众救助", "Help for people in hardship", None, None, None),
        ("02", "独居老人关爱", "Elderly living alone", None, None, None),
        ("03", "就业求助", "Help finding work", None, "rs", None),
        ("04", "入学咨询", "School enrolment", None, "jy", None),
        ("05", "医疗卫生", "Medical and health", None, "wj", None),
        ("06", "公交出行", "Bus services", None, "jt", None),
    ),
    "17": (
        ("01", "社区矫正人员", "Person under community correction", None, None, None),
        ("02", "刑满释放人员", "Released prisoner", None, None, None),
        ("03", "严重精神障碍患者", "Person with a severe mental disorder", None, "wj", None),
        ("04", "吸毒人员", "Drug user", None, "ga", None),
    ),
    "18": (
        ("01", "无证经营食品", "Unlicensed food business", None, None, None),
        ("02", "过期变质食品", "Expired or spoiled food", None, None, None),
        ("03", "药品安全", "Drug safety", None, None, None),
    ),
    "19": (
        ("01", "来信", "Letter", None, None, None),
        ("02", "来访", "Visit", None, None, None),
        ("03", "网上信访", "Online petition", None, None, None),
    ),
    "21": (
        ("01", "井盖缺失破损", "Missing or broken manhole cover", U, None, "manhole-cover"),
        ("02", "路灯", "Street lamps", None, None, "street-lamps"),
        ("03", "消防栓", "Fire hydrant", None, "xfjy", None),
        ("04", "电力设施", "Power facilities", None, "gd", None),
        ("05", "通信设施", "Telecom facilities", None, "tx", None),
        ("06", "燃气设施", "Gas facilities", None, "rq", None),
        ("07", "供水设施", "Water supply facilities", None, "gs", None),
    ),
    "22": (
        ("01", "交通信号灯", "Traffic lights", None, "ga", None),
        ("02", "交通标志牌", "Traffic signs", None, "ga", None),
        ("03", "道路护栏", "Guardrails", None, None, None),
        ("04", "公交站亭", "Bus shelters", None, None, None),
        ("05", "路面破损", "Damaged road surface", None, None, None),
        ("06", "过街天桥地道", "Footbridges and underpasses", None, None, None),
    ),
    "23": (
        ("01", "公共厕所", "Public toilets", None, None, None),
        ("02", "果皮箱", "Litter bins", None, None, None),
        ("03", "垃圾收集点", "Refuse collection points", None, None, None),
        ("04", "户外广告设施", "Outdoor advertising structures", None, None, None),
    ),
    "24": (
        ("01", "行道树", "Street trees", None, None, None),
        ("02", "绿地", "Green space", None, None, None),
        ("03", "古树名木", "Old and valuable trees", None, None, None),
        ("04", "花坛花箱", "Flower beds and boxes", None, None, None),
    ),
    "25": (
        ("01", "宣传栏", "Notice boards", None, "cg", None),
        ("02", "人防工事", "Civil air defence works", None, "zj", None),
        ("03", "空置房屋", "Vacant buildings", None, "zj", None),
        ("04", "违法用地", "Illegal land use", None, None, "complex"),
    ),
    "26": (
        ("01", "重大危险源", "Major hazard installation", U, "yj", "urgent"),
        ("02", "工地设施", "Construction site facilities", None, "zj", None),
        ("03", "水质监测站", "Water quality station", None, "sthj", None),
        ("04", "健身设施", "Fitness equipment", None, None, None),
    ),
    "31": (
        ("01", "区域入侵", "Intrusion", U, None, "urgent"),
        ("02", "越线", "Line crossing", None, None, None),
        ("03", "徘徊", "Loitering", None, None, None),
        ("04", "物品遗留", "Left object", None, None, None),
        ("05", "视频遮挡", "Camera tampering", None, None, None),
        ("06", "视频丢失", "Video loss", None, None, None),
        ("07", "人员聚集", "Crowd gathering", None, None, None),
        ("08", "烟火识别", "Smoke or fire detected", U, "xfjy", "urgent"),
    ),
}


def categories() -> list[Category]:
    """The catalogue, parents before children, defaults resolved."""
    found: list[Category] = []
    for code, name, en, urgency, department, sla in CLASSES:
        parent = Category(
            code=code, name=name, name_en=en, urgency=urgency or N, department=department,
            sla=sla or "normal",
        )  # fmt: skip
        found.append(parent)
        for suffix, s_name, s_en, s_urgency, s_department, s_sla in SUBCATEGORIES.get(code, ()):
            found.append(
                Category(
                    code=code + suffix,
                    name=s_name,
                    name_en=s_en,
                    parent=code,
                    urgency=s_urgency or parent.urgency,
                    department=s_department or parent.department,
                    sla=s_sla or parent.sla,
                )
            )
    return found


def county_departments(county_name: str) -> list[Department]:
    """The county-level departments and utilities, named for a 区 or a 县."""
    prefix = "县" if county_name.endswith("县") else "区"
    return [
        Department(code=code, name=name.format(p=prefix), name_en=en, kind=kind)
        for code, name, en, kind in DEPARTMENTS
    ]
