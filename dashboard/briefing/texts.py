"""Words and number formats of the briefing: zh-CN (default) and English (the glossary's
terms, docs/domain.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

LANGUAGES = ("zh-CN", "en")

TEXTS: Final[dict[str, dict[str, str]]] = {
    "zh-CN": {
        "title": "{county}每日简报",
        "as_of": "数据截至",
        "generated": "生成于",
        "summary": "简要分析",
        "kpi.received": "受理",
        "kpi.closures": "办结",
        "kpi.close_rate": "结案率",
        "kpi.on_time_rate": "按期结案率",
        "kpi.overdue": "超期",
        "kpi.alarms": "视频告警",
        "unit.cases": "件",
        "unit.alarms": "条",
        "vs_previous": "较前一日",
        "t.sources": "受理情况（按来源）",
        "t.categories": "受理情况（按类别）",
        "t.streets": "受理情况（按街道）",
        "t.closure": "结案情况",
        "t.backlog": "在办与超期",
        "t.overdue": "超期最久的案件",
        "t.departments": "部门按期结案排名（红黑榜）",
        "t.hotspots": "热点网格",
        "t.alarms": "视频告警",
        "t.cameras": "告警最多的摄像头",
        "t.quality": "数据质量",
        "t.trend": "近{days}日趋势",
        "f.map": "热点网格分布图（按当日受理件数着色，数字为表{table}排名）",
        "f.trend": "近{days}日受理与办结",
        "f.categories": "当日受理（按类别，竖线为近7日日均）",
        "table": "表",
        "figure": "图",
        "c.source": "来源",
        "c.category": "类别",
        "c.street": "街道",
        "c.day": "{day}",
        "c.previous": "前一日",
        "c.delta": "增减",
        "c.delta_pct": "增减率",
        "c.week_avg": "近7日日均",
        "c.vs_week": "较均值",
        "c.share": "占比",
        "c.figure": "指标",
        "c.week": "近7日合计",
        "c.value": "数值",
        "c.id": "事件编号",
        "c.title": "标题",
        "c.lead": "主办部门",
        "c.stage": "超期环节",
        "c.overdue_for": "超期时长",
        "c.rank": "排名",
        "c.department": "部门",
        "c.due": "应结案",
        "c.closed": "已结案",
        "c.on_time": "按期结案",
        "c.close_rate": "结案率",
        "c.on_time_rate": "按期结案率",
        "c.handling_median": "处置时长中位数",
        "c.grid": "网格",
        "c.community": "社区",
        "c.received": "受理",
        "c.top_category": "主要类别",
        "c.camera": "摄像头",
        "c.alarms": "告警数",
        "r.total": "合计",
        "r.received": "受理",
        "r.closures": "办结",
        "r.due": "应结案",
        "r.closed": "已结案",
        "r.closed_on_time": "按期结案",
        "r.close_rate": "结案率",
        "r.on_time_rate": "按期结案率",
        "r.as_of": "统计时点",
        "r.open": "在办",
        "r.overdue": "超期",
        "r.near_deadline": "临期",
        "r.alarms_received": "接收告警",
        "r.alarms_merged": "合并重复告警",
        "r.alarms_distinct": "合并后告警",
        "r.alarms_opened": "转为事件",
        "r.alarms_unknown": "未登记设备告警",
        "r.reports": "当日录入",
        "r.without_location": "无位置上报",
        "r.duplicates": "疑似重复上报",
        "r.late": "迟报（超过{hours}小时录入）",
        "r.unknown_cameras": "未登记摄像头告警",
        "r.deadletters": "被拒收数据（异常数据）",
        "best": "红榜",
        "worst": "黑榜",
        "ranking_note": (
            "{start}—{end}，应结案不少于{min}件的部门参与排名；{unranked}个部门样本不足未排名。"
        ),
        "duplicates_note": "同一网格、同一类别{minutes}分钟内再次上报计为疑似重复。",
        "no_data": "暂无数据",
        "no_overdue": "无超期案件",
        "no_ranking": "没有部门达到排名所需的应结案件数",
        "no_alarm_data": "暂无视频告警数据（视频告警接入后显示）",
        "other": "其他",
        "list": "简报列表",
        "download_html": "下载 HTML",
        "download_pdf": "下载 PDF",
        "language": "English",
        "page": "第{page}页 / 共{pages}页",
        "footer": "个人信息已脱敏 · gridwall",
        "stage.accept": "受理",
        "stage.dispatch": "派遣",
        "stage.sign": "签收",
        "stage.handle": "处置",
        "stage.verify": "核查",
        "stage.co": "协办处置",
        "src.gridapp": "网格员上报",
        "src.hotline": "12345热线",
        "src.platform": "上级平台转办",
        "src.video": "视频告警",
        "src.wechat": "微信公众号",
        "src.simulator": "模拟数据",
        "src.api": "接口录入",
        "weekday": "一二三四五六日",
    },
    "en": {
        "title": "{county} daily briefing",
        "as_of": "Data as of",
        "generated": "generated",
        "summary": "Summary",
        "kpi.received": "Received",
        "kpi.closures": "Closed",
        "kpi.close_rate": "Close rate",
        "kpi.on_time_rate": "On-time close rate",
        "kpi.overdue": "Overdue",
        "kpi.alarms": "Video alarms",
        "unit.cases": "",
        "unit.alarms": "",
        "vs_previous": "vs. previous day",
        "t.sources": "Intake by source",
        "t.categories": "Intake by category",
        "t.streets": "Intake by street",
        "t.closure": "Closures",
        "t.backlog": "Backlog and overdue",
        "t.overdue": "Longest overdue cases",
        "t.departments": "Departments by on-time close rate",
        "t.hotspots": "Hotspot grids",
        "t.alarms": "Video alarms",
        "t.cameras": "Noisiest cameras",
        "t.quality": "Data quality",
        "t.trend": "Last {days} days",
        "f.map": (
            "Hotspot grids (shaded by the day's intake; numbers are the ranks of table {table})"
        ),
        "f.trend": "Intake and closures, last {days} days",
        "f.categories": "Intake by category (bar: the day; tick: 7-day average)",
        "table": "Table ",
        "figure": "Figure ",
        "c.source": "Source",
        "c.category": "Category",
        "c.street": "Street",
        "c.day": "{day}",
        "c.previous": "Day before",
        "c.delta": "Change",
        "c.delta_pct": "Change %",
        "c.week_avg": "7-day avg",
        "c.vs_week": "vs. avg",
        "c.share": "Share",
        "c.figure": "Figure",
        "c.week": "7 days",
        "c.value": "Value",
        "c.id": "Incident",
        "c.title": "Title",
        "c.lead": "Lead department",
        "c.stage": "Stage",
        "c.overdue_for": "Overdue for",
        "c.rank": "Rank",
        "c.department": "Department",
        "c.due": "Due",
        "c.closed": "Closed",
        "c.on_time": "On time",
        "c.close_rate": "Close rate",
        "c.on_time_rate": "On-time rate",
        "c.handling_median": "Median handling",
        "c.grid": "Grid",
        "c.community": "Community",
        "c.received": "Received",
        "c.top_category": "Main category",
        "c.camera": "Camera",
        "c.alarms": "Alarms",
        "r.total": "Total",
        "r.received": "Received",
        "r.closures": "Closed in the day",
        "r.due": "Due",
        "r.closed": "Closed (of due)",
        "r.closed_on_time": "Closed on time",
        "r.close_rate": "Close rate",
        "r.on_time_rate": "On-time close rate",
        "r.as_of": "As of",
        "r.open": "Open",
        "r.overdue": "Overdue",
        "r.near_deadline": "Near deadline",
        "r.alarms_received": "Alarms received",
        "r.alarms_merged": "Repeats merged",
        "r.alarms_distinct": "Distinct alarms",
        "r.alarms_opened": "Incidents opened",
        "r.alarms_unknown": "From unregistered devices",
        "r.reports": "Entered in the day",
        "r.without_location": "Without a location",
        "r.duplicates": "Suspected duplicates",
        "r.late": "Late (entered over {hours} h after)",
        "r.unknown_cameras": "Alarms of unregistered cameras",
        "r.deadletters": "Input refused (dead letters)",
        "best": "Best",
        "worst": "Worst",
        "ranking_note": "{start} – {end}; departments with at least {min} due cases are ranked; "
        "{unranked} departments had too few.",
        "duplicates_note": "A report of the same category in the same grid within {minutes} "
        "minutes of another counts as a suspected duplicate.",
        "no_data": "no data",
        "no_overdue": "No overdue cases",
        "no_ranking": "No department had enough due cases to be ranked",
        "no_alarm_data": "No video alarm data (shown once the alarm feeds run)",
        "other": "Other",
        "list": "Briefings",
        "download_html": "Download HTML",
        "download_pdf": "Download PDF",
        "language": "中文",
        "page": "page {page} of {pages}",
        "footer": "Personal information masked · gridwall",
        "stage.accept": "accept",
        "stage.dispatch": "dispatch",
        "stage.sign": "sign for",
        "stage.handle": "handle",
        "stage.verify": "verify",
        "stage.co": "co-handling",
        "src.gridapp": "Grid workers",
        "src.hotline": "12345 hotline",
        "src.platform": "Higher platforms",
        "src.video": "Video alarms",
        "src.wechat": "WeChat",
        "src.simulator": "Simulator",
        "src.api": "API",
        "weekday": "MTWTFSS",
    },
}


class Format:
    """Numbers, dates and durations in one language, the same in tables and narrative."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in TEXTS else "zh-CN"
        self.t = TEXTS[self.lang]
        self.zh = self.lang == "zh-CN"

    def count(self, value: int | None) -> str:
        return self.t["no_data"] if value is None else str(value)

    def rate(self, value: float | None) -> str:
        return "—" if value is None else f"{value * 100:.1f}%"

    def average(self, value: float) -> str:
        return f"{value:.1f}"

    def delta(self, now: int, before: float) -> str:
        diff = now - before
        if abs(diff) < 0.05:
            return "0"
        text = f"{abs(diff):.0f}" if float(diff).is_integer() else f"{abs(diff):.1f}"
        return ("+" if diff > 0 else "−") + text

    def change(self, now: float, before: float) -> str:
        if before <= 0:
            return "—"
        pct = (now - before) / before * 100
        if abs(pct) < 0.05:
            return "0.0%"
        return ("+" if pct > 0 else "−") + f"{abs(pct):.1f}%"

    def day(self, value: date) -> str:
        if self.zh:
            return f"{value.month}月{value.day}日"
        return value.strftime("%d %b").lstrip("0")

    def long_day(self, value: date) -> str:
        weekday = self.t["weekday"][value.weekday()]
        if self.zh:
            return f"{value.year}年{value.month}月{value.day}日（星期{weekday}）"
        return value.strftime("%A %d %B %Y")

    def moment(self, value: datetime) -> str:
        return f"{self.day(value.date())} {value:%H:%M}"

    def duration(self, seconds: float | None) -> str:
        if seconds is None:
            return "—"
        minutes = int(seconds // 60)
        days, rest = divmod(minutes, 1440)
        hours, mins = divmod(rest, 60)
        if self.zh:
            if days:
                return f"{days}天{hours}小时"
            return f"{hours}小时{mins}分" if hours else f"{mins}分钟"
        if days:
            return f"{days} d {hours} h"
        return f"{hours} h {mins} min" if hours else f"{mins} min"

    def source(self, key: str | None) -> str:
        return self.t.get(f"src.{key}", key or self.t["other"])

    def stage(self, key: str) -> str:
        if key.startswith("handle@"):
            return self.t["stage.co"]
        return self.t.get(f"stage.{key}", key)
