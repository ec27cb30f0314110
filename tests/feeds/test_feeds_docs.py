"""The feeds contract cannot drift: every adapter type has its package shape and is documented,
and every example in docs/examples/ is accepted by its parser."""

from __future__ import annotations

from pathlib import Path

import pytest

from feeds.adapters.frigate.config import FrigateSource
from feeds.adapters.frigate.parse import parse_message
from feeds.adapters.gb28181.parse import parse_manscdp
from feeds.adapters.hikvision.parse import parse as parse_hikvision
from feeds.adapters.registry import SHIPPED_DEMO, SOURCE_TYPES, load_feeds
from feeds.alarms.devices import DeviceAlarm, DeviceHeartbeat
from gridwall.contract.alarmtypes import TYPES
from gridwall.engine.alarms.rules import load_rules
from tests.feeds.feedkit import TZ

ROOT = Path(__file__).parent.parent.parent
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"
ADAPTERS = ROOT / "feeds" / "adapters"


def test_every_adapter_package_is_a_source_type() -> None:
    packages = {p.name for p in ADAPTERS.iterdir() if (p / "__init__.py").exists()}
    assert packages == set(SOURCE_TYPES)


@pytest.mark.parametrize("kind", sorted(SOURCE_TYPES))
def test_every_adapter_has_its_shape_and_is_documented(kind: str) -> None:
    for part in ("config.py", "parse.py", "adapter.py"):
        assert (ADAPTERS / kind / part).exists(), f"feeds/adapters/{kind}/{part} is missing"
    text = (DOCS / "feeds.md").read_text(encoding="utf-8")
    assert f"### {kind}\n" in text, f"adapter {kind} has no section in docs/feeds.md"
    assert f"| `{kind}` |" in text
    model = SOURCE_TYPES[kind]
    section = text.split(f"### {kind}\n", 1)[1].split("\n### ", 1)[0]
    for key in model.model_fields:
        if key not in ("id", "type", "name", "enabled"):
            assert f"`{key}`" in section, f"{kind}.{key} is not documented in its section"


@pytest.mark.parametrize("code", sorted(TYPES))
def test_every_alarm_type_is_documented(code: str) -> None:
    assert f"| `{code}` |" in (DOCS / "feeds.md").read_text(encoding="utf-8")


def test_the_examples_are_accepted() -> None:
    assert len(load_feeds(EXAMPLES / "feeds.toml").sources) == len(SOURCE_TYPES)
    assert load_feeds(SHIPPED_DEMO).sources
    assert load_rules(EXAMPLES / "alarm-rules.yaml").rules
    read = (EXAMPLES / "hikvision-fielddetection.xml").read_bytes()
    assert isinstance(parse_hikvision(read, "application/xml", zone=TZ)[0], DeviceAlarm)
    beat = (EXAMPLES / "hikvision-heartbeat.xml").read_bytes()
    assert isinstance(parse_hikvision(beat, "application/xml", zone=TZ)[0], DeviceHeartbeat)
    gb = (EXAMPLES / "gb28181-alarm.xml").read_bytes()
    assert isinstance(parse_manscdp(gb, zone=TZ)[0], DeviceAlarm)
    frigate = FrigateSource(id="frigate", type="frigate")
    assert parse_message("events", (EXAMPLES / "frigate-event-new.json").read_bytes(), frigate)
