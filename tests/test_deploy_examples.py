"""The deployment examples (docs/examples/deploy) stay in step with the code: every unit runs a
real command with options it has, the environment file names real settings, the settings file
loads, and the proxy passes websockets to the servers the units start."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from gridwall.cli import cli
from gridwall.platform.settings import documented_settings, load_settings

DEPLOY = Path(__file__).parent.parent / "docs" / "examples" / "deploy"
UNITS = sorted(DEPLOY.glob("*.service"))


def unit(path: Path) -> dict[str, list[str]]:
    """A systemd unit's keys (a key may repeat), comments and sections aside."""
    found: dict[str, list[str]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_there_is_a_unit_per_process() -> None:
    assert {p.name for p in UNITS} == {
        "gridwall-worker@.service",
        "gridwall-intake.service",
        "gridwall-serve@.service",
    }


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_each_unit_runs_a_real_command_with_real_options(path: Path) -> None:
    keys = unit(path)
    (exec_start,) = keys["ExecStart"]
    binary, command, *args = shlex.split(exec_start.replace("%i", "8050"))
    assert binary.endswith("/bin/gridwall")
    helped = CliRunner().invoke(cli, [command, "--help"])
    assert helped.exit_code == 0, helped.output
    for option in (a for a in args if a.startswith("--")):
        assert re.search(rf"(^|\s){re.escape(option)}\b", helped.output), (command, option)
    # a unit restarts its process, reads the environment file and runs unprivileged
    assert keys["Restart"] == ["always"]
    assert keys["EnvironmentFile"] == ["/etc/gridwall/gridwall.env"]
    assert keys["User"] == ["gridwall"]
    assert keys["NoNewPrivileges"] == ["yes"]
    # the only folder a unit may write is the data folder of the environment file
    assert keys["ReadWritePaths"] == ["/var/lib/gridwall"]


def test_the_environment_file_names_real_settings() -> None:
    known = set(documented_settings())
    names = {}
    for line in (DEPLOY / "gridwall.env").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            names[name] = value
    for name in names:
        if name in ("REDIS_URL", "GRIDWALL_CONFIG"):
            continue
        path = name.removeprefix("GRIDWALL_").lower().replace("__", ".")
        assert path in known, f"{name} is not a setting"
    assert names["GRIDWALL_DATA_DIR"] == "/var/lib/gridwall"
    assert names["GRIDWALL_CONFIG"] == "/etc/gridwall/gridwall.toml"


def test_the_settings_file_loads() -> None:
    settings = load_settings(DEPLOY / "gridwall.toml")
    assert settings.county == "320115"
    assert settings.wall.default_layout == "county-3x2"
    assert settings.feeds.file == Path("/etc/gridwall/feeds.toml")


def test_the_proxy_passes_websockets_to_the_wall_servers() -> None:
    conf = (DEPLOY / "gridwall.nginx.conf").read_text(encoding="utf-8")
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_set_header Connection $connection_upgrade;" in conf
    assert "proxy_http_version 1.1;" in conf
    servers = re.findall(r"server 127\.0\.0\.1:(\d+);", conf)
    assert servers
    instances = (DEPLOY / "gridwall-serve@.service").read_text(encoding="utf-8")
    started = re.search(r"gridwall-serve@(\d+) gridwall-serve@(\d+)", instances)
    assert started is not None
    assert sorted(servers) == sorted(started.groups())
