"""Plausible names for the demo county: places, people and phone numbers (all generated)."""

from __future__ import annotations

import random

#: Two-character place names of the lower Yangtze (streets and towns are named after them).
PLACES = (
    "东山", "秣陵", "汤山", "淳化", "禄口", "谷里", "湖熟", "横溪", "麒麟", "铜井", "陶吴",
    "上峰", "土桥", "龙都", "周岗", "丹阳", "殷巷", "铜山", "方山", "将军", "牛首", "青龙",
    "白马", "岔路", "东善", "西岗", "孟塘", "大连", "花塘", "索墅", "星辉", "竹山", "天元",
    "百家", "翠屏", "九龙", "金箔", "胜太", "佘村", "句容",
)  # fmt: skip
FIRST = "东西南北新安和平康宁兴华阳光明泉金银龙凤青石桥河湖山林竹梅杨柳花桃李松"
SECOND = "山湖桥塘庄园林港湾岗店营圩坊亭苑村埂冲墩洼湾头岭"
COMMUNITY_ENDING = "社区"
VILLAGE_ENDING = "村"

#: Common surnames, most frequent first (weights roughly follow their frequency).
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
SURNAMES += "程苏魏吕丁任沈"
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红建国文斌辉波宁鹏浩宇婷雪琳晨欣怡佳俊"
)
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "170", "173", "176", "177", "180", "181", "182", "183",
    "185", "186", "187", "188", "189", "191", "195", "198", "199",
)  # fmt: skip


def place_names(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct place names, from the list first, then invented."""
    names = list(PLACES)
    rng.shuffle(names)
    invented = Unique(rng)
    while len(names) < count:
        names.append(invented.place())
    return names[:count]


class Unique:
    """Invents names that were not used before in this county."""

    def __init__(self, rng: random.Random, used: set[str] | None = None) -> None:
        self.rng = rng
        self.used: set[str] = set(used or ())

    def place(self) -> str:
        while True:
            name = self.rng.choice(FIRST) + self.rng.choice(SECOND)
            if name not in self.used and name not in PLACES:
                self.used.add(name)
                return name

    def community(self, village: bool) -> str:
        return self.place() + (VILLAGE_ENDING if village else COMMUNITY_ENDING)


def person_name(rng: random.Random) -> str:
    weights = [1.0 / (1 + i * 0.15) for i in range(len(SURNAMES))]
    surname = rng.choices(SURNAMES, weights)[0]
    return surname + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2))))


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
