"""The briefing pages behind the sign-in: the list, the page, the downloads (audited)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis
from fastapi.testclient import TestClient

from gridwall.access.audit import AuditQuery, read_audit
from gridwall.access.roles import Role
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.processes.server import create_app
from tests.dashboard.briefing.golden import DAY, NAME, Golden
from tests.dashboard.briefing.parse import personal_leaks
from tests.helpers import issue_roles


@pytest.fixture
def client(golden: Golden, briefing_settings: Settings, r: redis.Redis) -> Iterator[TestClient]:
    app = create_app(briefing_settings, briefing_settings.redis_url or "", parts=("api",))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def roles(client: TestClient, r: redis.Redis, keys: Keys) -> dict[Role, dict[str, str]]:
    return issue_roles(r, keys)


def test_leaders_read_the_page_generated_on_demand_and_listed(
    client: TestClient, roles: dict[Role, dict[str, str]], briefing_settings: Settings
) -> None:
    leader = roles[Role.LEADER]
    empty = client.get("/briefing", headers=leader)
    assert empty.status_code == 200
    assert "还没有生成的简报" in empty.text
    page = client.get(f"/briefing/{DAY}", headers=leader)
    assert page.status_code == 200
    assert "演示区每日简报" in page.text
    assert "简要分析" in page.text
    assert f'href="/briefing/{DAY}.pdf"' in page.text  # the page's navigation
    assert not personal_leaks(page.text, (NAME,))
    stored = briefing_settings.data_dir / "briefings"
    assert (stored / f"{DAY}.json").is_file()
    assert (stored / f"{DAY}.html").is_file()
    listing = client.get("/briefing", headers=leader)
    assert f'href="/briefing/{DAY}"' in listing.text
    english = client.get(f"/briefing/{DAY}?lang=en", headers=leader)
    assert "daily briefing" in english.text
    assert "Summary" in english.text
    opened = client.get(f"/briefing?day={DAY}", headers=leader, follow_redirects=False)
    assert opened.status_code == 303
    assert opened.headers["location"] == f"/briefing/{DAY}"


def test_the_html_download_is_the_kept_file_and_audited(
    client: TestClient,
    roles: dict[Role, dict[str, str]],
    briefing_settings: Settings,
    r: redis.Redis,
    keys: Keys,
) -> None:
    res = client.get(f"/briefing/{DAY}.html", headers=roles[Role.OPERATOR])
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("text/html")
    assert f'filename="gridwall-briefing-{DAY}.html"' in res.headers["content-disposition"]
    assert res.content == (briefing_settings.data_dir / "briefings" / f"{DAY}.html").read_bytes()
    (entry,), _ = read_audit(r, keys, AuditQuery(action="export"))
    assert entry.target == f"briefing:{DAY}"
    assert entry.detail == {"format": "html"}
    assert entry.actor == "zhang"


@pytest.mark.browser
@pytest.mark.slow
def test_the_pdf_download(
    client: TestClient, roles: dict[Role, dict[str, str]], briefing_settings: Settings
) -> None:
    res = client.get(f"/briefing/{DAY}.pdf", headers=roles[Role.ADMIN])
    assert res.status_code == 200
    assert res.headers["content-type"] == "application/pdf"
    assert res.content.startswith(b"%PDF")
    assert res.content == (briefing_settings.data_dir / "briefings" / f"{DAY}.pdf").read_bytes()


def test_who_may_not_and_which_days_are_not(
    client: TestClient, roles: dict[Role, dict[str, str]]
) -> None:
    for role in (Role.DEPARTMENT, Role.WALL, Role.SOURCE):
        for path in ("/briefing", f"/briefing/{DAY}", f"/briefing/{DAY}.html"):
            assert client.get(path, headers=roles[role]).status_code == 403, (role, path)
    anonymous = client.get("/briefing", headers={"Accept": "text/html"}, follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login")
    leader = roles[Role.LEADER]
    for day in ("yesterday", "2026-13-01", "2999-01-01", str(DAY - timedelta(days=40))):
        assert client.get(f"/briefing/{day}", headers=leader).status_code == 404, day
    assert (
        client.get(f"/briefing/{DAY - timedelta(days=40)}.html", headers=leader).status_code == 404
    )
