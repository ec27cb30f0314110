"""The feeds file, source health, the sources and dead-letter APIs, source-token commands."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner
from fastapi.testclient import TestClient

from feeds.adapters.registry import FeedsError, load_feeds, parse_feeds
from feeds.adapters.supervisor import Supervisor
from feeds.sources.sink import FeedSink
from gridwall.access.roles import Principal, Role, TokenStore
from gridwall.cli import cli
from gridwall.contract.health import HealthRecorder, SourceInfo, status_of
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.processes.server import create_app
from gridwall.refdata.registry import Registry
from gridwall.runtime import Runtime
from tests.feeds.feedkit import feeds_settings
from tests.helpers import issue_admin


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"sources": [{"id": "a", "type": "hikvision", "alow": []}]},
            "source 'a' (entry 1): alow: unknown key",
        ),
        (
            {"sources": [{"id": "a", "type": "http"}, {"id": "a", "type": "http"}]},
            "duplicate source id 'a'",
        ),
        (
            {
                "sources": [
                    {
                        "id": "x",
                        "type": "dahua",
                        "url": "http://h",
                        "username": "u",
                        "password": "plain",
                    }
                ]
            },
            "source 'x' (entry 1): password",
        ),
        (
            {"sources": [{"id": "x", "type": "frigate", "password": {"env": "A", "file": "/b"}}]},
            "exactly one of env or file",
        ),
        ({"sources": [{"id": "Bad Id", "type": "http"}]}, "source 'Bad Id' (entry 1): id"),
        (
            {"sources": [{"id": "y", "type": "carrier-pigeon"}]},
            "does not match any of the expected",
        ),
        ({"sources": [{"id": "z", "type": "hikvision", "allow": ["300.1.1.1/8"]}]}, "allow"),
    ],
)
def test_the_feeds_file_is_validated_strictly(data: dict[str, object], message: str) -> None:
    with pytest.raises(FeedsError) as caught:
        parse_feeds(data)
    assert message in str(caught.value)


def test_yaml_and_toml_feeds_files(tmp_path: Path) -> None:
    yaml_file = tmp_path / "feeds.yaml"
    yaml_file.write_text(
        "sources:\n  - id: cams\n    type: hikvision\n    allow: [127.0.0.1/32]\n", encoding="utf-8"
    )
    assert load_feeds(yaml_file).sources[0].type == "hikvision"
    broken = tmp_path / "broken.toml"
    broken.write_text("[[sources]\n", encoding="utf-8")
    with pytest.raises(FeedsError, match="cannot be read"):
        load_feeds(broken)
    result = CliRunner().invoke(cli, ["sources", "check", str(yaml_file)])
    assert result.exit_code == 0
    assert "cams" in result.output
    result = CliRunner().invoke(cli, ["sources", "check", str(broken)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("info", "stored", "status"),
    [
        (SourceInfo("a", "http", enabled=False), {}, "disabled"),
        (SourceInfo("a", "dahua", client=True), {"connected": "0"}, "down"),
        (SourceInfo("a", "dahua", client=True), {"connected": "1"}, "ok"),
        (SourceInfo("a", "http"), {}, "unknown"),
        (SourceInfo("a", "http"), {"last_event_at": "990"}, "ok"),
        (SourceInfo("a", "http"), {"last_event_at": "10"}, "idle"),
        (SourceInfo("a", "http"), {"last_event_at": "900", "last_error_at": "950"}, "error"),
        (None, {"last_event_at": "990"}, "ok"),
    ],
)
def test_one_word_status(info: SourceInfo | None, stored: dict[str, str], status: str) -> None:
    assert status_of(info, stored, now=1000, idle_after_s=500) == status


@pytest.fixture
def api(
    settings: Settings, tmp_path: Path, seeded: Registry, r: redis.Redis
) -> Iterator[TestClient]:
    chosen = feeds_settings(settings, tmp_path, '[[sources]]\nid = "cams"\ntype = "hikvision"\n')
    app = create_app(chosen, chosen.redis_url or "", parts=("intake", "api"))
    with TestClient(app) as client:
        yield client


def test_sources_show_configured_and_seen_sources(
    api: TestClient, r: redis.Redis, keys: Keys, seeded: Registry
) -> None:
    recorder = HealthRecorder(r, keys, flush_s=60, clock=lambda: time.time() - 60)
    recorder.event("gridapp", 7)
    recorder.error("gridapp", "bad thing", dead_letter=True)
    recorder.flush()
    assert api.get("/api/v1/sources").status_code == 401
    body = api.get("/api/v1/sources", headers=issue_admin(r, keys)).json()
    by_id = {s["id"]: s for s in body["sources"]}
    assert by_id["cams"]["configured"] is True
    assert by_id["cams"]["type"] == "hikvision"
    assert by_id["cams"]["status"] == "unknown"
    app = by_id["gridapp"]
    assert (app["configured"], app["events_total"], app["events_per_minute"]) == (False, 7, 7)
    assert (app["errors_total"], app["deadletters_total"], app["last_error"]) == (1, 1, "bad thing")
    cameras = len(seeded.cameras)
    assert body["cameras"] == {"known": cameras, "online": 0, "offline": cameras}


def test_dead_letters_page_back_and_redact_raw_payloads_for_operators(
    api: TestClient, r: redis.Redis, keys: Keys
) -> None:
    admin = issue_admin(r, keys)
    operator = {
        "Authorization": "Bearer "
        + TokenStore(r, keys).issue(Principal(name="duty", role=Role.OPERATOR))
    }
    for n in range(5):
        api.post(
            "/api/v1/events",
            content=f"{{bad {n}".encode(),
            headers={**admin, "Content-Type": "application/json"},
        )
    api.post("/api/v1/alarms/hikvision?source=cams", content=b"\xff\xfe binary")
    first = api.get("/api/v1/deadletters", params={"limit": 3}, headers=admin).json()
    assert len(first) == 3
    assert first[0]["endpoint"] == "POST /api/v1/alarms/hikvision"
    assert "raw_base64" in first[0]  # not UTF-8: given as base64
    rest = api.get("/api/v1/deadletters", params={"before": first[-1]["id"]}, headers=admin).json()
    assert len(rest) == 3
    assert rest[-1]["raw"] == "{bad 0"
    only = api.get("/api/v1/deadletters", params={"source": "cams"}, headers=admin).json()
    assert len(only) == 1
    seen = api.get("/api/v1/deadletters", headers=operator).json()
    assert len(seen) == 6
    assert all(item["redacted"] and "raw_base64" not in item for item in seen)


def test_token_commands(settings: Settings, r: redis.Redis, keys: Keys) -> None:
    env = {"REDIS_URL": settings.redis_url or "", "GRIDWALL_COUNTY": settings.county}
    runner = CliRunner()
    issued = runner.invoke(cli, ["sources", "token", "issue", "gridapp", "--label", "v3"], env=env)
    assert issued.exit_code == 0
    token = issued.output.strip()
    assert token.startswith("gw_")
    assert TokenStore(r, keys).lookup(token) == Principal(
        name="source:gridapp", role=Role.SOURCE, source="gridapp"
    )
    rotated = runner.invoke(
        cli, ["sources", "token", "rotate", "gridapp", "--grace", "2h"], env=env
    )
    assert rotated.exit_code == 0
    listed = runner.invoke(cli, ["sources", "token", "list", "gridapp"], env=env).output
    assert "expires in 2.0 h" in listed
    assert "no expiry" in listed
    assert token not in listed
    revoked = runner.invoke(cli, ["sources", "token", "revoke", "gridapp"], env=env)
    assert revoked.output.strip() == "2 token(s) revoked"
    assert TokenStore(r, keys).lookup(token) is None
    bad = runner.invoke(cli, ["sources", "token", "rotate", "gridapp", "--grace", "soon"], env=env)
    assert bad.exit_code == 2


def test_a_listener_that_cannot_start_is_reported_not_fatal(
    settings: Settings, tmp_path: Path, r: redis.Redis, keys: Keys
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        feeds = (
            f'[[sources]]\nid = "gb"\ntype = "gb28181"\n'
            f'sip = {{ host = "127.0.0.1", port = {port} }}\n'
        )
        chosen = feeds_settings(settings, tmp_path, feeds)
        sink = FeedSink(Runtime.create(chosen, chosen.redis_url or ""))

        async def scenario() -> None:
            supervisor = Supervisor(load_feeds(chosen.feeds.file), sink)
            await supervisor.start()
            await supervisor.stop()

        asyncio.run(scenario())
    health = r.hgetall(keys.source_health("gb"))
    assert health[b"connected"] == b"0"
    assert b"cannot start" in health[b"last_error"]
