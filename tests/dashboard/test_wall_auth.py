"""The wall checks its caller on the server: pages, Dash endpoints, the websocket and every
server callback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from dashboard.auth.dash import ROLES_ATTR, layout_of_path, layout_refusal
from gridwall.access.roles import Principal, Role
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.processes.server import create_app
from gridwall.refdata.registry import Registry
from tests.helpers import issue_roles, issue_wall

ORIGIN = {"Origin": "http://testserver"}


@pytest.fixture
def client(settings: Settings, seeded: Registry, r: redis.Redis) -> Iterator[TestClient]:
    app = create_app(settings, settings.redis_url or "")
    with TestClient(app) as client:
        yield client


def test_every_server_callback_checks_the_role(client: TestClient) -> None:
    """Clientside callbacks run in the browser; every one that runs here is wrapped."""
    wall = client.app.state.wall  # type: ignore[attr-defined]
    callbacks = [spec["callback"] for spec in wall.callback_map.values() if "callback" in spec]
    assert callbacks
    for callback in callbacks:
        roles = getattr(callback, ROLES_ATTR, None)
        assert roles, f"{callback.__name__} runs without checking the caller's role"
        assert Role.DEPARTMENT not in roles
        assert Role.SOURCE not in roles


def test_the_websocket_needs_a_session_from_this_origin(
    client: TestClient, r: redis.Redis, keys: Keys
) -> None:
    with (
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect("/wall/_dash-ws-callback", headers=ORIGIN),
    ):
        pass
    token = issue_wall(r, keys, "desk")
    client.get(f"/wall/desk?token={token}")  # the kiosk session cookie
    with (
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect(
            "/wall/_dash-ws-callback", headers={"Origin": "http://evil.example"}
        ),
    ):
        pass
    with client.websocket_connect("/wall/_dash-ws-callback", headers=ORIGIN) as ws:
        ws.send_json({"type": "heartbeat"})
        assert ws.receive_json() == {"type": "heartbeat_ack"}


def test_department_users_and_feeds_do_not_open_walls(
    client: TestClient, r: redis.Redis, keys: Keys
) -> None:
    roles = issue_roles(r, keys)
    for role in (Role.DEPARTMENT, Role.SOURCE):
        assert client.get("/wall/desk", headers=roles[role]).status_code == 403
        with (
            pytest.raises(WebSocketDisconnect),
            client.websocket_connect("/wall/_dash-ws-callback", headers={**roles[role], **ORIGIN}),
        ):
            pass
    assert client.get("/wall/desk", headers=roles[Role.LEADER]).status_code == 200
    assert client.get("/not-a-wall", headers=roles[Role.ADMIN]).status_code == 403


def test_a_wall_principal_is_bound_to_its_layout() -> None:
    lobby = Principal(name="lobby", role=Role.WALL, layout="lobby")
    assert layout_of_path("/wall/lobby/screen/2", "desk") == "lobby"
    assert layout_of_path("/wall/", "desk") == "desk"
    assert layout_of_path("/api/v1/x", "desk") is None
    assert layout_refusal(lobby, "lobby") is None
    assert layout_refusal(lobby, "desk") == "this wall may only show layout lobby"
    everywhere = Principal(name="demo", role=Role.WALL)  # the demo token's kiosk
    assert layout_refusal(everywhere, "desk") is None
    assert layout_refusal(Principal(name="o", role=Role.OPERATOR), "desk") is None
