"""Open311 GeoReport v2 requests → event records (pure)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from feeds.adapters.open311.config import Open311Source
from feeds.adapters.open311.parse import parse_requests, to_records, windows
from gridwall.contract.events import EventIn
from gridwall.contract.refusal import PayloadError
from tests.feeds.feedkit import TZ, fixture

SOURCE = Open311Source(
    id="hotline",
    type="open311",
    url="http://h/open311/v2",  # type: ignore[arg-type]
    services={"CG01": "01", "AQ02": "12"},
)


def test_requests_become_reports_and_status_updates() -> None:
    requests = parse_requests(fixture("open311", "requests-hotline.json"))
    first = to_records(requests[0], SOURCE, TZ)
    assert len(first) == 1
    report = EventIn.model_validate(first[0])
    assert (report.source_event_id, report.category, report.title) == (
        "12345-2026-000981",
        "01",
        "市容环境",
    )
    assert report.reported_at == datetime(2026, 11, 20, 9, 12, tzinfo=TZ)
    assert report.photos == ["https://hotline.example/media/981.jpg"]
    assert "江宁区某某路" not in json.dumps(first, ensure_ascii=False)  # the address is personal
    closed = to_records(requests[1], SOURCE, TZ)
    assert [r.get("kind", "report") for r in closed] == ["report", "status"]
    status = EventIn.model_validate(closed[1])
    assert (status.status, status.ref, status.note) == ("closed", "12345-2026-000982", "已处理")
    assert status.reported_at == datetime(2026, 11, 21, 15, tzinfo=TZ)  # no offset: local zone
    with pytest.raises(PayloadError, match="no category for service_code 'XX99'"):
        to_records(requests[2], SOURCE, TZ)


def test_windows_cover_the_span_without_gaps() -> None:
    start = datetime(2026, 11, 1, tzinfo=TZ)
    found = windows(start, start + timedelta(days=2, hours=5), timedelta(days=1))
    assert [(a.day, b.day, b.hour) for a, b in found] == [(1, 2, 0), (2, 3, 0), (3, 3, 5)]
    assert windows(start, start, timedelta(days=1)) == []


@pytest.mark.parametrize("body", [b"{}", b"nope", b'"x"'])
def test_answers_that_are_not_request_lists_are_refused(body: bytes) -> None:
    with pytest.raises(PayloadError):
        parse_requests(body)
