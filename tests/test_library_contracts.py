"""The library internals gridwall relies on, held to the installed versions.

The processor's write path packs its MULTI/EXEC itself (``gridwall.engine.processor.batchwrite``)
and the wall uses two Dash privates (``dashboard.wall.app``) and Dash's spelling of pattern ids
(``dashboard.wall.panels.base.sid``). The versions are pinned in ``pyproject.toml``; these
tests fail, naming what changed, when an upgrade moves them.
"""

from __future__ import annotations

import dash._utils
import redis
from dash import Dash, dcc
from fastapi import FastAPI

from dashboard.wall.app import use_basic_plotly
from dashboard.wall.panels.base import sid
from gridwall.engine.processor.batchwrite import missing_pipeline_internals


def test_redis_pipeline_internals_are_there(r: redis.Redis) -> None:
    assert missing_pipeline_internals() == []
    pipe = r.pipeline(transaction=True)
    assert pipe.connection is None  # nothing WATCHed yet: execute_transaction takes one
    pipe.set("contract:a", "1")
    assert isinstance(pipe.command_stack, list)
    assert len(pipe.command_stack) == 1
    args, options = pipe.command_stack[0]
    assert tuple(args) == ("SET", "contract:a", "1")
    assert isinstance(options, dict)
    conn = pipe.connection_pool.get_connection()
    try:
        for method in ("send_packed_command", "read_response", "disconnect"):
            assert callable(getattr(conn, method)), method
    finally:
        pipe.connection_pool.release(conn)
    pipe.reset()
    assert pipe.command_stack == []
    assert pipe.watching is False


def test_dash_privates_the_wall_uses_are_there() -> None:
    before = list(dcc._js_dist)
    try:
        Dash("contract", server=FastAPI(), backend="fastapi", url_base_pathname="/c/")  # type: ignore[arg-type]
        added = [b for b in dcc._js_dist if b not in before]
        assert any(b.get("namespace") == "plotly" for b in added), "plotly.js moved"
        use_basic_plotly()
        assert not any(b.get("namespace") == "plotly" for b in dcc._js_dist)
    finally:
        dcc._js_dist[:] = before
    assert callable(getattr(Dash, "_setup_server", None))


def test_pattern_ids_are_spelled_as_dash_spells_them() -> None:
    for component_id in ({"type": "gw-ack", "id": "a-1"}, {"b": "x y", "a": "中文"}, {"k": ""}):
        assert sid(component_id) == dash._utils.stringify_id(component_id)
