"""The golden day, archived once per test that needs it, and the briefing built from it."""

from __future__ import annotations

import pytest
import redis

from dashboard.briefing.generate import Generator
from dashboard.briefing.model import Briefing
from gridwall.history.store import HistoryStore, history_folder
from gridwall.platform.keys import Keys
from gridwall.platform.settings import Settings
from gridwall.refdata.registry import Registry
from tests.dashboard.briefing.golden import AS_OF, DAY, Golden, build_golden


@pytest.fixture
def briefing_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "metrics": settings.metrics.model_copy(update={"min_sample": 3}),
            "briefing": settings.briefing.model_copy(update={"formats": ["html"]}),
        }
    )


@pytest.fixture
def golden(r: redis.Redis, keys: Keys, seeded: Registry, briefing_settings: Settings) -> Golden:
    return build_golden(r, keys, seeded, HistoryStore(history_folder(briefing_settings)))


@pytest.fixture
def generator(golden: Golden, briefing_settings: Settings, r: redis.Redis) -> Generator:
    return Generator(briefing_settings, lambda: golden.registry, r)


@pytest.fixture
def briefing(generator: Generator) -> Briefing:
    return generator.build(DAY, now=AS_OF)
