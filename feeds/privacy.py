"""Masking of personal information (Civil Code art. 111, PIPL).

The rules follow the field's practice: names 张*三, phones 138****1234, ID numbers with the
middle digits hidden (110***********123X), addresses cut to the community. Which fields are
personal is read from the schema's ``x-personal`` markers (``feeds.contract.personal_paths``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from feeds.contract import PersonalKind

_DIGITS = re.compile(r"\d")


def mask_name(name: str) -> str:
    """张三 → 张*, 张小三 → 张*三, Zhang San → Z*******n."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str) -> str:
    """13812341234 → 138****1234; short numbers keep only their last two digits."""
    digits = "".join(_DIGITS.findall(phone))
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    if len(digits) <= 2:
        return "*" * len(digits)
    return "*" * (len(digits) - 2) + digits[-2:]


def mask_id_number(value: str) -> str:
    """110101199003071234 → 110***********1234 (first 3, last 4 kept)."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_address(value: str, community: str | None = None) -> str:
    """An address is cut to its community (or to its first 6 characters when unknown)."""
    if community and community in value:
        return value[: value.index(community) + len(community)] + "…"
    return value[:6] + ("…" if len(value) > 6 else "")


def mask_value(kind: PersonalKind, value: str) -> str:
    if kind is PersonalKind.NAME:
        return mask_name(value)
    if kind is PersonalKind.PHONE:
        return mask_phone(value)
    if kind is PersonalKind.ID_NUMBER:
        return mask_id_number(value)
    return mask_address(value)


def mask_paths(data: Mapping[str, Any], paths: Mapping[str, PersonalKind]) -> dict[str, Any]:
    """A copy of ``data`` with the values at the dotted ``paths`` masked."""
    result: dict[str, Any] = dict(data)
    for path, kind in paths.items():
        head, _, rest = path.partition(".")
        if head not in result or result[head] is None:
            continue
        if rest:
            if isinstance(result[head], Mapping):
                result[head] = mask_paths(result[head], {rest: kind})
        elif isinstance(result[head], str):
            result[head] = mask_value(kind, result[head])
    return result
