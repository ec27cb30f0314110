"""UI texts: zh-CN by default, English by setting or ``?lang=en``.

Terms follow GLOSSARY.md: one Chinese and one English term per concept.
"""

from __future__ import annotations

from typing import Final

LANGUAGES: Final = ("zh-CN", "en")

TEXTS: Final[dict[str, dict[str, str]]] = {
    "zh-CN": {
        "open": "在办事件",
        "newest": "最新事件",
        "map": "网格地图",
        "updated_at": "数据更新于",
        "connected": "已连接",
        "disconnected": "连接已断开",
        "reconnecting": "连接已断开，正在重连…",
        "no_layout": "没有名为 {name} 的大屏布局",
        "no_screen": "布局 {name} 没有第 {n} 屏",
        "loading": "正在加载…",
        "none_yet": "暂无事件",
        "status.reported": "上报",
        "status.accepted": "受理",
        "status.dispatched": "已派遣",
        "status.handling": "处置中",
        "status.reported_back": "待核查",
        "status.parked": "挂账",
        "status.closed": "结案",
        "status.evaluated": "已评价",
        "sla.normal": "正常",
        "sla.warning": "临期",
        "sla.overdue": "超期",
        "sla.paused": "暂停计时",
        "urgency.urgent": "紧急",
        "urgency.normal": "一般",
        "today": "今日上报",
        "count_unit": "件",
        "not_allowed": "此大屏无权显示该布局",
        "session_ended": "会话已结束，请重新登录",
    },
    "en": {
        "open": "Open incidents",
        "newest": "Newest incidents",
        "map": "Grid map",
        "updated_at": "Data updated at",
        "connected": "Connected",
        "disconnected": "Connection lost",
        "reconnecting": "Connection lost, reconnecting…",
        "no_layout": "No wall layout named {name}",
        "no_screen": "Layout {name} has no screen {n}",
        "loading": "Loading…",
        "none_yet": "No incidents yet",
        "status.reported": "Reported",
        "status.accepted": "Accepted",
        "status.dispatched": "Dispatched",
        "status.handling": "Handling",
        "status.reported_back": "To verify",
        "status.parked": "Parked",
        "status.closed": "Closed",
        "status.evaluated": "Evaluated",
        "sla.normal": "On time",
        "sla.warning": "Near deadline",
        "sla.overdue": "Overdue",
        "sla.paused": "Clock paused",
        "urgency.urgent": "Urgent",
        "urgency.normal": "Normal",
        "today": "Reported today",
        "count_unit": "",
        "not_allowed": "This wall may not show this layout",
        "session_ended": "Session ended: sign in again",
    },
}


class Texts:
    """Texts of one language; unknown keys show the key itself (never a crash on a wall)."""

    def __init__(self, language: str) -> None:
        self.language = language if language in TEXTS else LANGUAGES[0]
        self._texts = TEXTS[self.language]

    def __call__(self, key: str, **values: object) -> str:
        text = self._texts.get(key, key)
        return text.format(**values) if values else text


def pick_language(query: str, default: str) -> str:
    """``?lang=en`` in the page's query string wins over the default setting."""
    for part in query.lstrip("?").split("&"):
        name, _, value = part.partition("=")
        if name == "lang" and value in TEXTS:
            return value
    return default
