"""Codes of reference data: division codes, grid codes, GB/T 28181 ids, phones, ID numbers.

Each check returns the reason a value is wrong (``None`` when it is right). Reasons never quote
the value of a personal field: they are printed and logged.

* Division codes (统计用区划代码): 12 digits = 6 county + 3 township + 3 village/community.
  The first township digit gives its type: 0 street (街道), 1 town (镇), 2–3 township (乡),
  4–5 other. A street's own code ends in ``000``. Community codes 001–199 are residents'
  committees (社区/居委会), 200–399 villagers' committees (村/村委会) (GB/T 10114).
* Grid codes: 15 digits = 12-digit community code + 3-digit grid number (e.g. Beijing DB11).
  Other cities use other lengths, so only ``refdata.strict_codes`` enforces these forms; without
  it any code of 6–24 digits is accepted (the width ``gridwall.contract.events`` allows for grids).
* GB/T 28181 device ids: 20 digits = 8 centre code + 2 industry + 3 type + 1 network + 6 serial.
"""

from __future__ import annotations

import ipaddress
import re

from gridwall.refdata.model import Level

AREA_CODE = re.compile(r"^\d{6,24}$")
RECORD_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
SLA_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
FRIGATE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAC = re.compile(r"^[0-9a-f]{2}([:-]?[0-9a-f]{2}){5}$")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
ID_NUMBER = re.compile(r"^\d{17}[\dX]$")

#: Township type by the first township digit (GB/T 10114).
TOWNSHIP_TYPES = {"0": "street", "1": "town", "2": "township", "3": "township"}
TOWNSHIP_FIRST_DIGITS = ("0", "1", "2", "3", "4", "5")

#: GB/T 28181 device types (digits 11–13) that name a video channel.
CAMERA_TYPES = {"131": "camera", "132": "IPC"}
#: Other GB/T 28181 types a camera list may carry, with their meaning (for the reason text).
DEVICE_TYPES = {
    "111": "DVR", "112": "video server", "113": "encoder", "114": "decoder",
    "118": "NVR", "134": "alarm input", "135": "alarm output", "200": "SIP server",
    "215": "business group", "216": "virtual organisation",
}  # fmt: skip

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def area_code_reason(code: str) -> str | None:
    if not AREA_CODE.match(code):
        return "code must be 6 to 24 digits"
    return None


def strict_area_reason(code: str, level: Level, parent: str | None, county: str) -> str | None:
    """Reason ``code`` breaks the 12/15-digit scheme at ``level`` under ``parent``, or None."""
    parent = parent or ""
    rules: dict[Level, list[tuple[bool, str]]] = {
        Level.COUNTY: [(code != county, f"county code must be {county}")],
        Level.STREET: [
            (
                len(code) != 12 or not code.startswith(county) or not code.endswith("000"),
                f"a street/town code has 12 digits: {county} + 3 township digits + 000",
            ),
            (
                code[6:7] not in TOWNSHIP_FIRST_DIGITS or code[6:9] == "000",
                "township digits must be 001–599 (0xx street, 1xx town, 2xx–3xx township)",
            ),
        ],
        Level.COMMUNITY: [
            (
                len(code) != 12 or code.endswith("000"),
                "a community/village code has 12 digits and does not end in 000",
            ),
            (
                not code.startswith(parent[:9]),
                f"a community code starts with its street's 9 digits {parent[:9]}",
            ),
        ],
        Level.GRID: [
            (
                len(code) != 15,
                "a grid code has 15 digits: the 12-digit community code + 3-digit number",
            ),
            (not code.startswith(parent), f"a grid code starts with its community's code {parent}"),
            (code.endswith("000"), "grid numbers start at 001"),
        ],
    }
    return next((reason for broken, reason in rules[level] if broken), None)


def record_code_reason(code: str) -> str | None:
    if not RECORD_CODE.match(code):
        return "code must be 1–32 letters, digits, '_', '.' or '-', starting with a letter or digit"
    return None


def gb28181_reason(device_id: str) -> str | None:
    """Reason a GB/T 28181 id is malformed (not 20 digits), or None."""
    if len(device_id) != 20 or not device_id.isdigit():
        return "a GB/T 28181 id has exactly 20 digits"
    return None


def gb28181_type(device_id: str) -> str:
    """The 3-digit device type of a GB/T 28181 id (digits 11–13)."""
    return device_id[10:13]


def gb28181_type_warning(device_id: str) -> str | None:
    kind = gb28181_type(device_id)
    if kind in CAMERA_TYPES:
        return None
    meaning = DEVICE_TYPES.get(kind, "unknown type")
    return f"device type {kind} ({meaning}) is not a camera (131) or IPC (132)"


def normalize_mac(value: str) -> str | None:
    """``44-19-B6-00-12-7A`` → ``44:19:b6:00:12:7a``; None when it is not a MAC address."""
    text = value.strip().lower()
    if not MAC.match(text):
        return None
    digits = text.replace(":", "").replace("-", "")
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def ip_reason(value: str) -> str | None:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return "not an IPv4 or IPv6 address"
    return None


def phone_reason(value: str) -> str | None:
    digits = value.replace(" ", "")
    if MOBILE.match(digits) or LANDLINE.match(digits):
        return None
    return "not a mobile (11 digits from 13–19) or landline (0 + area code) number"


def id_number_reason(value: str) -> str | None:
    """Resident ID number (GB 11643): 18 characters with its check digit."""
    text = value.strip().upper()
    if not ID_NUMBER.match(text):
        return "an ID number has 17 digits and a check digit (0–9 or X)"
    total = sum(int(d) * w for d, w in zip(text[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != text[17]:
        return "the ID number's check digit is wrong"
    return None


def id_check_digit(first17: str) -> str:
    """The GB 11643 check digit of the first 17 digits of an ID number."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]
