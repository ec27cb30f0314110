"""Masking and purging of personal information (Civil Code art. 111, PIPL).

The rules follow the field's practice: names 张*三, phones 138****1234, ID numbers with the
middle digits hidden (110***********123X), addresses cut to the community. Which fields are
personal is read from the schema's ``x-personal`` markers
(``gridwall.contract.events.personal_paths``); free text (``text`` and ``note`` kinds) keeps its
words but loses the phone and ID-card numbers typed into it.
The same rules keep personal data out of logs (``PersonalDataFilter``) and out of dead-letter
listings for those without the right (``redact_raw``).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from gridwall.contract.events import EventIn, PersonalKind, personal_paths

_DIGITS = re.compile(r"\d")
#: A mainland mobile number, optionally with +86 and separators, standing alone.
PHONE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
#: An 18-character resident ID number standing alone.
ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{3})\d{11}(\d{3}[0-9Xx])(?![0-9A-Za-z])")
#: A token in a URL's query (kiosk links) — a secret, not personal data, but never logged.
TOKEN_IN_URL = re.compile(r"([?&]token=)[^&\s\"']+")


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


def mask_text(text: str) -> str:
    """Free text with the phone and ID-card numbers in it masked."""
    if not text or _DIGITS.search(text) is None:  # both patterns need a digit
        return text
    text = ID_IN_TEXT.sub(lambda m: m.group(1) + "*" * 11 + m.group(2), text)
    return PHONE_IN_TEXT.sub(lambda m: m.group(1) + "****" + m.group(3), text)


def mask_value(kind: PersonalKind, value: str) -> str:
    if kind is PersonalKind.NAME:
        return mask_name(value)
    if kind is PersonalKind.PHONE:
        return mask_phone(value)
    if kind is PersonalKind.ID_NUMBER:
        return mask_id_number(value)
    if kind in {PersonalKind.TEXT, PersonalKind.NOTE}:
        return mask_text(value)
    return mask_address(value)


def purge_value(kind: PersonalKind, value: str) -> str | None:
    """What the retention purge keeps of a personal value: a masked title; a narrative
    becomes empty; every other personal value is removed."""
    if kind is PersonalKind.TEXT:
        return mask_text(value)
    return "" if kind is PersonalKind.NOTE else None


Transform = Callable[[PersonalKind, str], str | None]


def transform_paths(
    data: Mapping[str, Any], paths: Mapping[str, PersonalKind], fn: Transform
) -> dict[str, Any]:
    """A copy of ``data`` with ``fn`` applied to the strings at the dotted ``paths``
    (a path through a list applies to each of its items)."""
    result: dict[str, Any] = dict(data)
    for path, kind in paths.items():
        head, _, rest = path.partition(".")
        value = result.get(head)
        if value is None:
            continue
        if rest:
            result[head] = _descend(value, {rest: kind}, fn)
        elif isinstance(value, str):
            result[head] = fn(kind, value)
    return result


def _descend(value: Any, paths: Mapping[str, PersonalKind], fn: Transform) -> Any:
    if isinstance(value, Mapping):
        return transform_paths(value, paths, fn)
    if isinstance(value, list):
        return [_descend(item, paths, fn) for item in value]
    return value


def mask_paths(data: Mapping[str, Any], paths: Mapping[str, PersonalKind]) -> dict[str, Any]:
    """A copy of ``data`` with the values at the dotted ``paths`` masked."""
    return transform_paths(data, paths, mask_value)


def purge_paths(data: Mapping[str, Any], paths: Mapping[str, PersonalKind]) -> dict[str, Any]:
    """A copy of ``data`` with personal values removed (free text kept, masked)."""
    return transform_paths(data, paths, purge_value)


def mask_strings(value: Any) -> Any:
    """Every string inside a JSON value with phone and ID-card numbers masked."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, Mapping):
        return {k: mask_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_strings(v) for v in value]
    return value


# -- dead letters ------------------------------------------------------------------------------

_EVENT_PATHS = personal_paths(EventIn)


def redact_raw(raw: bytes | str) -> str:
    """A refused payload as people without the right may see it: JSON events with their
    personal fields masked, any text with its phone and ID-card numbers masked."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    try:
        data = json.loads(text)
    except ValueError:
        return mask_text(text)
    items = data if isinstance(data, list) else [data]
    masked = [mask_paths(i, _EVENT_PATHS) if isinstance(i, Mapping) else i for i in items]
    result = masked if isinstance(data, list) else masked[0]
    return json.dumps(mask_strings(result), ensure_ascii=False)


# -- logs --------------------------------------------------------------------------------------


class PersonalDataFilter(logging.Filter):
    """Masks phone and ID-card numbers (and URL tokens) in every record a handler writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Arguments are cleaned one by one: formatters such as uvicorn's access log unpack them.
        if isinstance(record.msg, str):
            record.msg = _clean_log_text(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_clean_log_arg(a) for a in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {k: _clean_log_arg(v) for k, v in record.args.items()}
        return True


def _clean_log_text(text: str) -> str:
    return TOKEN_IN_URL.sub(r"\1***", mask_text(text))


def _clean_log_arg(value: Any) -> Any:
    return _clean_log_text(value) if isinstance(value, str) else value


def install_log_filter(names: Iterable[str] = ("", "uvicorn", "uvicorn.access")) -> None:
    """Put ``PersonalDataFilter`` on every handler of the named loggers (idempotent)."""
    for name in names:
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
                handler.addFilter(PersonalDataFilter())
