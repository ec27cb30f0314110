"""Pieces every source configuration shares: the source base, secrets, camera access.

Secrets never sit in the feeds file itself: a ``SecretRef`` names an environment variable or a
file (``{env = "HIK_PASSWORD"}`` or ``{file = "/run/secrets/hik"}``) read when it is needed.
"""

from __future__ import annotations

import functools
import ipaddress
import os
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from gridwall.contract.events import SOURCE_PATTERN
from gridwall.platform.settings.base import Strict

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class SecretError(ValueError):
    """A secret's variable or file is missing; the message names it."""


class SecretRef(Strict):
    """Where a secret comes from: an environment variable or a file, never the feeds file."""

    env: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    file: Path | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> SecretRef:
        if (self.env is None) == (self.file is None):
            raise ValueError("a secret needs exactly one of env or file")
        return self

    def value(self) -> str:
        if self.env is not None:
            found = os.environ.get(self.env)
            if not found:
                raise SecretError(f"environment variable {self.env} is not set")
            return found
        assert self.file is not None
        try:
            return self.file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SecretError(f"cannot read secret file {self.file}: {exc.strerror}") from None

    def describe(self) -> str:
        return f"env {self.env}" if self.env else f"file {self.file}"


class HttpAuth(Strict):
    """HTTP credentials a device sends (basic or digest), per source."""

    scheme: Literal["basic", "digest"] = "digest"
    username: str = Field(min_length=1, max_length=64)
    password: SecretRef


class SourceBase(Strict):
    """Fields of every source entry (each kind narrows ``type`` to its literal)."""

    type: str
    id: str = Field(pattern=SOURCE_PATTERN, description="Unique id; events carry it as source.")
    name: str = Field("", max_length=100, description="Display name.")
    enabled: bool = True


class DeviceAccess(Strict):
    """How devices that cannot send bearer tokens are admitted: by address, then credentials."""

    allow: list[IpNetwork] = Field(
        default_factory=list, description="Addresses or networks (CIDR) devices post from."
    )
    auth: HttpAuth | None = None

    def allows(self, address: str) -> bool:
        ip = parse_address(address)
        return ip is not None and any(ip in net for net in self.allow)


@functools.lru_cache(maxsize=4096)
def parse_address(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """A client address (IPv4-mapped IPv6 as IPv4), or None; remembered (devices repeat)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip
