from __future__ import annotations

import os
from pathlib import Path

import pytest

from gridwall.platform.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("GRIDWALL_") or name == "REDIS_URL":
            monkeypatch.delenv(name)


def test_defaults_come_from_the_domain() -> None:
    s = load_settings()
    assert s.county == "320115"
    assert s.timezone == "Asia/Shanghai"
    assert s.http.port == 8050
    assert s.wall.language == "zh-CN"
    assert s.redis_url is None


def test_toml_then_environment_then_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "gw.toml"
    config.write_text('county = "110101"\n[http]\nport = 9000\nhost = "0.0.0.0"\n')
    assert load_settings(config).http.port == 9000
    monkeypatch.setenv("GRIDWALL_HTTP__PORT", "9100")
    s = load_settings(config)
    assert (s.county, s.http.port, s.http.host) == ("110101", 9100, "0.0.0.0")
    assert load_settings(config, {"http": {"port": 9200}}).http.port == 9200


def test_redis_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://example:6379/2")
    assert load_settings().redis_url == "redis://example:6379/2"


def test_an_unknown_key_in_the_file_is_named(tmp_path: Path) -> None:
    config = tmp_path / "gw.toml"
    config.write_text("[wall]\ntile_ulr = 'http://tiles'\n")
    with pytest.raises(SettingsError, match=r"unknown setting 'wall.tile_ulr'"):
        load_settings(config)


def test_an_unknown_environment_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIDWALL_WALL__LANGUGE", "en")
    with pytest.raises(SettingsError, match="GRIDWALL_WALL__LANGUGE"):
        load_settings()


def test_invalid_values_say_what_is_wrong(tmp_path: Path) -> None:
    config = tmp_path / "gw.toml"
    config.write_text("[http]\nport = 0\n")
    with pytest.raises(SettingsError, match=r"invalid setting 'http.port'"):
        load_settings(config)
    with pytest.raises(SettingsError, match="not 6 digits"):
        load_settings(overrides={"county": "32"})
    with pytest.raises(SettingsError, match="config file not found"):
        load_settings(tmp_path / "missing.toml")
