"""What a running gridwall process holds: settings, Redis clients, the registry, the inbox and
the dead letters.

One ``Runtime`` per process, created at start and passed on (FastAPI keeps it on
``app.state.runtime``); nothing lives in module-level mutable state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import redis
import redis.asyncio as aredis

from gridwall.access.roles import TokenStore
from gridwall.contract.deadletter import DeadLetters
from gridwall.contract.inbox import Inbox
from gridwall.engine.sla.policy import PolicyBook, load_policies
from gridwall.platform.keys import Keys
from gridwall.platform.redisconn import connect
from gridwall.platform.settings import Settings
from gridwall.refdata.registry import RegistryCache


@dataclass
class Runtime:
    settings: Settings
    keys: Keys
    tz: ZoneInfo
    redis_url: str
    client: redis.Redis
    aclient: aredis.Redis
    registry: RegistryCache
    inbox: Inbox
    deadletters: DeadLetters
    tokens: TokenStore
    policies: PolicyBook

    @classmethod
    def create(cls, settings: Settings, redis_url: str) -> Runtime:
        """Connect and load the SLA policies (``PolicyError`` names a bad key)."""
        tz = ZoneInfo(settings.timezone)
        policies = load_policies(settings.sla.policy_file, tz)
        client = connect(redis_url)
        keys = Keys(settings.county)
        return cls(
            settings=settings,
            keys=keys,
            tz=tz,
            redis_url=redis_url,
            client=client,
            aclient=aredis.Redis.from_url(redis_url, socket_connect_timeout=5),
            registry=RegistryCache(client, keys),
            inbox=Inbox(client, keys, tz),
            deadletters=DeadLetters(client, keys, tz, settings.processor.deadletter_maxlen),
            tokens=TokenStore(client, keys),
            policies=policies,
        )

    def now(self) -> datetime:
        return datetime.now(self.tz)

    async def aclose(self) -> None:
        await self.aclient.aclose()
        self.client.close()
