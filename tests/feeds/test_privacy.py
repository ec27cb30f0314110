"""Masking rules, free-text scrubbing, dead-letter views and the log filter."""

from __future__ import annotations

import json
import logging
import re

from hypothesis import given
from hypothesis import strategies as st

from gridwall.access.privacy import (
    PersonalDataFilter,
    mask_address,
    mask_id_number,
    mask_name,
    mask_paths,
    mask_phone,
    mask_text,
    purge_paths,
    redact_raw,
)
from gridwall.contract.deadletter import read_entry
from gridwall.contract.events import PersonalKind, personal_paths
from gridwall.engine.incident import Incident

PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")


def test_the_field_practice_masks() -> None:
    assert mask_name("张三") == "张*"
    assert mask_name("张小三") == "张*三"
    assert mask_phone("13812341234") == "138****1234"
    assert mask_id_number("11010119900307123X") == "110***********123X"
    assert mask_address("南京市江宁区东山街道竹山社区上元大街12号", "竹山社区") == (
        "南京市江宁区东山街道竹山社区…"
    )


def test_free_text_loses_its_phone_and_id_numbers() -> None:
    text = (
        "居民张三反映，电话13812341234，+86 139-1234-5678，身份证11010119900307123X，座机025-1234"
    )
    masked = mask_text(text)
    assert masked == (
        "居民张三反映，电话138****1234，139****5678，身份证110***********123X，座机025-1234"
    )
    assert mask_text("网格 320115001001001 井盖缺失") == "网格 320115001001001 井盖缺失"
    assert mask_text("设备 32011500001320000042") == "设备 32011500001320000042"  # 20 digits


@given(st.lists(st.sampled_from(["13812341234", "11010119900307123X", "路灯", " ", "7", "x"])))
def test_masked_text_never_holds_a_phone_or_id_number(parts: list[str]) -> None:
    masked = mask_text("".join(parts))
    assert not PHONE.search(masked)
    assert not ID_NUMBER.search(masked)


def test_paths_through_lists_and_the_purge() -> None:
    paths = personal_paths(Incident)
    doc = {
        "title": "电话13812341234",
        "reporter": {"name": "张小三", "phone": "13812341234", "id_number": None},
        "history": [{"note": "回访13812341234"}, {"note": "无"}],
    }
    masked = mask_paths(doc, paths)
    assert masked["reporter"] == {"name": "张*三", "phone": "138****1234", "id_number": None}
    assert masked["history"][0]["note"] == "回访138****1234"
    assert masked["title"] == "电话138****1234"
    purged = purge_paths(doc, paths)
    assert purged["reporter"] == {"name": None, "phone": None, "id_number": None}
    assert purged["history"][0]["note"] == ""  # narratives go, titles stay masked
    assert purged["title"] == "电话138****1234"
    assert doc["reporter"]["name"] == "张小三"  # copies, never in place
    assert paths["reporter.address"] is PersonalKind.ADDRESS


def test_a_dead_letter_shows_its_raw_payload_only_to_those_with_the_right() -> None:
    raw = json.dumps(
        {
            "source": "x",
            "reporter": {"name": "王小明", "phone": "13812341234"},
            "note": "11010119900307123X",
        },
        ensure_ascii=False,
    ).encode()
    entry = {b"source": b"x", b"raw": raw, b"reasons": b"[]"}
    for_admin = read_entry(b"1-0", entry)  # what a listing shows with the right
    assert "13812341234" in for_admin["raw"]
    shown = redact_raw(entry[b"raw"])  # and without it
    assert "王小明" not in shown
    assert not PHONE.search(shown)
    assert not ID_NUMBER.search(shown)
    xml = "<Notify><Info>联系人 13812341234</Info></Notify>"
    assert redact_raw(xml) == "<Notify><Info>联系人 138****1234</Info></Notify>"


def test_logs_never_carry_phone_or_id_numbers_or_url_tokens() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/wall/desk?token=gw_secret&lang=en", "1.1", 303),
        None,
    )
    assert PersonalDataFilter().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /wall/desk?token=***&lang=en HTTP/1.1" 303'
    plain = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "caller 13812341234 said %s", ("hi",), None
    )
    PersonalDataFilter().filter(plain)
    assert plain.getMessage() == "caller 138****1234 said hi"
